"""The hash-chained audit log: every writer chains, verification finds edits, deletions and insertions."""

import datetime as dt

import polars as pl
import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from conftest import new_id
from fupin.audit import chain
from fupin.audit.models import Action, AppendOnlyError, AuditLog
from fupin.audit.services import append, append_frame, record_event
from fupin.comparison.tests.conftest import compare, load  # noqa: F401 (fixtures)
from fupin.core.channels import Channel
from fupin.monitoring.models import Family
from fupin.monitoring.tests.conftest import YEAR, household, lines  # noqa: F401 (fixtures)
from fupin.registry.tests.test_import_export import row, run_import, workbook

ON_POSTGRES = connection.vendor == "postgresql"


def _raw(sql, params=()):
    """Tamper with the table behind the application's back (on PostgreSQL with the trigger off, as its owner)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if ON_POSTGRES:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses to run past pending FK checks
            cursor.execute("ALTER TABLE audit_auditlog DISABLE TRIGGER audit_auditlog_append_only")
        cursor.execute(sql, params)
        if ON_POSTGRES:
            cursor.execute("ALTER TABLE audit_auditlog ENABLE TRIGGER audit_auditlog_append_only")


def _frame_rows(n, region="410481100201"):
    return pl.DataFrame({
        "channel": ["system"] * n, "action": ["create"] * n, "object_type": ["alert"] * n,
        "object_id": [str(i) for i in range(n)], "object_repr": [f"预警 #{i}" for i in range(n)],
        "region_code": [region] * n,
        "changes": ['{"rules": [null, "M01"], "figures": [null, {"income": 1234.5, "big": 1e16}]}'] * n,
    })


def test_chain_is_valid_after_every_kind_of_write(users, regions, tmp_path, household, load, compare):
    # single rows: a service write and an event
    poor = household(regions["village_a1"], income=5000, last=5200)
    record_event(poor, action=Action.VIEW_SENSITIVE, acting_user=users["county"], channel=Channel.PAGE)
    # a bulk list and a frame
    append([AuditLog(channel=Channel.SYSTEM, action=Action.CREATE, object_type="x", object_id=str(i),
                     object_repr="x", changes={"n": [None, i]}) for i in range(3)])
    append_frame(_frame_rows(5))
    # an import
    village = regions["village_a2"].code
    result = run_import(workbook(tmp_path, [row(f"{village}0001", village, "李四", new_id())]), users["county"])
    assert result.ok and result.counts["members"] == 1
    # a monitoring run (new alerts are written as a frame)
    from fupin.monitoring import services as monitoring

    record = monitoring.run(Family.MONITORING, regions["county"], YEAR, acting_user=users["county"],
                            channel=Channel.PAGE)
    assert record.opened == 1
    # a comparison run (suspects and their audit rows bulk-loaded)
    number = new_id()
    household(regions["village_b1"], income=9000, last=9000, head_id=number, head_name="王五")
    run = compare([load("death", ["姓名", "身份证号", "死亡日期"], [["王五", number, "2024-05-01"]])])
    assert run.summary["rules"]["deceased_registered"]["new"] == 1

    report = chain.verify()
    assert report.ok, report.broken
    assert report.rows == AuditLog.objects.count() > 15
    assert set(AuditLog.objects.values_list("object_type", flat=True)) >= {"household", "member", "alert", "suspect"}
    assert not AuditLog.objects.filter(hash="").exists()


def test_edited_row_is_reported_with_its_id(users, regions, household):
    household(regions["village_a1"])
    rows = list(AuditLog.objects.order_by("id").values_list("id", flat=True))
    victim = rows[len(rows) // 2]
    _raw("UPDATE audit_auditlog SET note = %s WHERE id = %s", ["改过的说明", victim])
    report = chain.verify()
    assert not report.ok
    assert (report.broken.kind, report.broken.row_id) == ("edited", victim)


def test_edited_changes_are_reported(users, regions, household):
    household(regions["village_a1"])
    victim = AuditLog.objects.filter(object_type="member").order_by("id").first()
    text = '{"name": [null, "别人"]}'
    _raw("UPDATE audit_auditlog SET changes = %s WHERE id = %s", [text, victim.pk])
    assert chain.verify().broken.row_id == victim.pk


def test_deleted_row_is_reported(users, regions, household):
    household(regions["village_a1"])
    household(regions["village_a2"])
    ids = list(AuditLog.objects.order_by("id").values_list("id", flat=True))
    _raw("DELETE FROM audit_auditlog WHERE id = %s", [ids[2]])
    report = chain.verify()
    assert report.broken.kind == "deleted"
    assert report.broken.row_id == ids[3]


def test_inserted_row_is_reported(users, regions, household):
    household(regions["village_a1"])
    household(regions["village_a2"])
    first, second = AuditLog.objects.order_by("id")[:2]
    # A forged row, properly linked to its predecessor and hashed, slipped in between two real ones.
    forged_time = first.time
    values = [forged_time, None, "", "page", "delete", "member", "1", "x", "", "", "", "", {}]
    forged_hash = chain.link(first.hash, chain.content(values))
    _raw("UPDATE audit_auditlog SET id = id + 1000 WHERE id > %s", [first.pk])  # make room after the first
    _raw("INSERT INTO audit_auditlog (id, time, user_id, username, channel, action, object_type, object_id, "
         "object_repr, parent_type, parent_id, region_code, note, changes, prev_hash, hash) "
         "VALUES (%s, %s, NULL, '', 'page', 'delete', 'member', '1', 'x', '', '', '', '', '{}', %s, %s)",
         [first.pk + 1, forged_time, first.hash, forged_hash])
    assert AuditLog.objects.filter(pk=second.pk + 1000, prev_hash=first.hash).exists()
    report = chain.verify()
    assert (report.broken.kind, report.broken.row_id) == ("inserted", first.pk + 1)


def test_orm_refuses_changes_and_deletion(users, regions, household):
    household(regions["village_a1"])
    entry = AuditLog.objects.first()
    entry.note = "x"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.all().delete()


@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger exists on PostgreSQL only")
def test_postgres_trigger_refuses_update_and_delete(users, regions, household):
    household(regions["village_a1"])
    pk = AuditLog.objects.first().pk
    for sql in ("UPDATE audit_auditlog SET note = 'x' WHERE id = %s", "DELETE FROM audit_auditlog WHERE id = %s"):
        with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    assert AuditLog.objects.filter(pk=pk, note="").exists()


def test_full_id_numbers_are_masked_before_they_are_written(users, regions, household, load, compare):
    number = new_id()
    household(regions["village_a1"], head_id=number, head_name="赵六")
    compare([load("death", ["姓名", "身份证号", "死亡日期"], [["赵六", number, "2024-05-01"]])])
    append_frame(_frame_rows(1).with_columns(object_repr=pl.lit(f"证件 {number}")))
    rows = list(AuditLog.objects.values_list("object_id", "object_repr", "changes", "note"))
    assert rows and not any(chain.ID_SHAPED.search(str(value)) for r in rows for value in r)
    assert any(number[:6] + "********" + number[-4:] in str(r) for r in rows)
    assert chain.verify().ok


def test_the_hash_is_the_same_on_every_database_shape():
    """Canonical form: floats ≥ 1e16 read back as integers from jsonb serialise alike; naive times are UTC."""
    when = dt.datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    a = chain.content([when, None, "", "page", "create", "x", "1", "x", "", "", "", "", {"b": [None, 1e16], "a": 1}])
    b = chain.content([when.replace(tzinfo=None), None, "", "page", "create", "x", "1", "x", "", "", "", "",
                       {"a": 1, "b": [None, 10**16]}])
    assert a == b
    assert timezone.is_aware(when)


def test_lazy_texts_are_chained_as_the_text_stored(users, regions, household):
    from django.utils.translation import gettext_lazy

    poor = household(regions["village_a1"])
    record_event(poor, action=Action.VIEW_SENSITIVE, acting_user=users["county"], channel=Channel.PAGE,
                 note=gettext_lazy("查看完整证件号码"))
    assert AuditLog.objects.filter(note="查看完整证件号码").exists()
    assert chain.verify().ok
