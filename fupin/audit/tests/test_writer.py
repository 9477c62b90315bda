"""What the audit writer reads from a model (AuditedModel) and the frame writer's rows, equal to record_change's."""

import polars as pl

from fupin.audit.models import AuditLog
from fupin.audit.services import build_entry, record_created_frame, snapshot, verify_log
from fupin.core.channels import Channel
from fupin.registry.models import Household

ENTRY_FIELDS = ("object_type", "object_id", "object_repr", "parent_type", "parent_id", "region_code", "changes")


def test_audited_model_files_a_member_under_its_household_and_village(make_household, regions):
    household = make_household(regions["village_a1"])
    member = household.members.get()
    assert household.audit_region_code == regions["village_a1"].code
    assert household.audit_parent is None
    assert member.audit_region_code == regions["village_a1"].code
    assert (member.audit_parent._meta.model_name, member.audit_parent.pk) == ("household", household.pk)


def test_frame_rows_equal_the_rows_record_change_writes(make_household, regions, users):
    household = make_household(regions["village_a1"], bank_account="6228480012345678", identification_year=None)
    after = snapshot(household)
    fields = list(after)  # identification_year among them, null: left out as diff leaves it out
    attnames = [Household._meta.get_field(name).attname for name in fields]
    frame = pl.DataFrame([Household.objects.values(*attnames).get(pk=household.pk)])
    expected = build_entry(household, before=None, after=after, acting_user=users["county"], channel=Channel.PAGE)

    assert record_created_frame(Household, frame, fields=fields, object_repr=pl.lit(str(household)),
                                acting_user=users["county"], channel=Channel.PAGE, note="批量") == 1

    written = AuditLog.objects.order_by("-id").first()
    assert [getattr(written, f) for f in ENTRY_FIELDS] == [getattr(expected, f) for f in ENTRY_FIELDS]
    assert (written.user, written.action, written.note) == (users["county"], "create", "批量")
    assert written.changes["bank_account"][1] != household.bank_account  # masked, as record_change masks it
    assert verify_log().ok
