"""Audit pages and export (who sees them, no full ID numbers), the verify page and command, archiving, demo reset."""

import datetime as dt
import gzip
import json
import re

import orjson
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, new_id
from fupin.accounts.models import Role, User
from fupin.audit import archive, chain
from fupin.audit.checks import retention_period
from fupin.audit.models import Action, AuditArchive, AuditLog
from fupin.audit.services import append
from fupin.audit.tests.test_chain import _raw
from fupin.core.channels import Channel
from fupin.registry.tests.test_excel_views import login, rows_of

FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")


@pytest.fixture
def auditor(regions):
    """The audit administrator, bound to a township to show that the role, not the binding, opens the whole log."""
    return User.objects.create_user("shenji", password=PASSWORD, role=Role.AUDIT_ADMIN, region=regions["town_a"],
                                    full_name="审计管理员")


def _legacy_row(number, region):
    """A row as written before the writer masked ID numbers (a suspect keyed by a full number), chained."""
    _raw("INSERT INTO audit_auditlog (time, user_id, username, channel, action, object_type, object_id, "
         "object_repr, parent_type, parent_id, region_code, note, changes, prev_hash, hash) "
         "VALUES (%s, NULL, '', 'system', 'create', 'suspect', %s, %s, '', '', %s, %s, %s, '', '')",
         [timezone.now(), number, f"疑点 {number}", region, f"比对 {number}",
          json.dumps({"subject_key": [None, number]})])


def test_department_accounts_get_no_audit_page_export_or_menu(client, users, make_household, regions):
    make_household(regions["village_a1"])
    login(client, users["department"])
    assert client.get(reverse("audit:list")).status_code == 403
    assert client.get(reverse("audit:audit_export")).status_code == 403
    assert client.get(reverse("audit:verify")).status_code == 403
    assert reverse("audit:list") not in client.get(reverse("accounts:password_change")).content.decode()
    assert not AuditLog.objects.visible_to(users["department"]).exists()


def test_only_the_audit_administrator_opens_the_verify_page(client, users, auditor):
    for user in (users["county"], users["admin"], users["leader"]):
        login(client, user)
        assert client.get(reverse("audit:verify")).status_code == 403
    login(client, auditor)
    page = client.get(reverse("audit:verify"), {"run": "1"}).content.decode()
    assert "哈希链完整" in page


def test_audit_administrator_sees_the_whole_log_others_their_region(client, users, auditor, make_household,
                                                                     regions):
    make_household(regions["village_b1"], head_name="枣林户主")  # outside the auditor's township
    assert AuditLog.objects.visible_to(auditor).count() == AuditLog.objects.count()
    assert not AuditLog.objects.visible_to(users["town_a"]).filter(region_code__startswith="410481101").exists()
    login(client, auditor)
    assert "枣林户主" in client.get(reverse("audit:list")).content.decode()


def test_verify_page_names_the_broken_row(client, users, auditor, make_household, regions):
    make_household(regions["village_a1"])
    victim = AuditLog.objects.order_by("id")[1]
    _raw("UPDATE audit_auditlog SET username = 'someone' WHERE id = %s", [victim.pk])
    login(client, auditor)
    page = client.get(reverse("audit:verify"), {"run": "1"}).content.decode()
    assert f"第 {victim.pk} 条记录" in page and "记录被改动" in page


def test_audit_pages_and_export_show_no_full_id_number(client, users, auditor, make_household, regions):
    number = new_id()
    make_household(regions["village_a1"], head_id=number)
    _legacy_row(new_id(), regions["village_a1"].code)
    assert FULL_ID.search(str(list(AuditLog.objects.values_list("object_id", "object_repr", "note", "changes"))))
    for user in (auditor, users["county"], users["village_a1"]):
        login(client, user)
        page = client.get(reverse("audit:list")).content.decode()
        assert "疑点 410481" in page and not FULL_ID.search(page), user
        lines = rows_of(client.get(reverse("audit:audit_export"), {"full": "0"}))
        assert len(lines) > 2 and not FULL_ID.search(str(lines)), user
    household_page = client.get(reverse("registry:household_detail", args=[AuditLog.objects.filter(
        object_type="household").first().object_id])).content.decode()
    assert not FULL_ID.search(household_page)


def test_verify_command_reports_in_text_and_json(users, make_household, regions, capsys):
    make_household(regions["village_a1"])
    make_household(regions["village_a2"])
    call_command("audit_verify", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] and result["rows"] == AuditLog.objects.count()
    ids = list(AuditLog.objects.order_by("id").values_list("id", flat=True))
    _raw("DELETE FROM audit_auditlog WHERE id = %s", [ids[1]])
    with pytest.raises(CommandError, match=f"第 {ids[2]} 条.*记录被删除"):
        call_command("audit_verify")
    with pytest.raises(CommandError):
        call_command("audit_verify", "--json")
    broken = json.loads(capsys.readouterr().out)["broken"]
    assert (broken["kind"], broken["row_id"]) == ("deleted", ids[2])
    assert broken["time"] == AuditLog.objects.get(pk=ids[2]).time.isoformat()


def _old_and_new_rows(regions):
    old = timezone.now() - dt.timedelta(days=400)
    append([AuditLog(time=old + dt.timedelta(minutes=i), channel=Channel.SYSTEM, action=Action.CREATE,
                     object_type="household", object_id=str(i), object_repr=f"旧记录 {i}",
                     region_code=regions["village_a1"].code, changes={"n": [None, i]}) for i in range(5)])
    append([AuditLog(channel=Channel.SYSTEM, action=Action.CREATE, object_type="household", object_id="new",
                     object_repr="新记录", region_code=regions["village_a1"].code)])


def test_archive_moves_old_rows_to_a_verifiable_file_and_the_chain_still_verifies(regions, users, settings,
                                                                                    tmp_path, capsys):
    settings.FUPIN_AUDIT_ARCHIVE_DIR = tmp_path / "archive"
    _old_and_new_rows(regions)
    old_ids = list(AuditLog.objects.filter(object_repr__startswith="旧记录").order_by("id").values_list("id", "hash"))
    call_command("audit_archive", "--before", (timezone.localdate() - dt.timedelta(days=300)).isoformat())
    record = AuditArchive.objects.get()
    assert (record.first_id, record.last_id, record.rows, record.last_hash) == (
        old_ids[0][0], old_ids[-1][0], 5, old_ids[-1][1])
    assert not AuditLog.objects.filter(object_repr__startswith="旧记录").exists()
    first_live = AuditLog.objects.order_by("id").first()
    assert first_live.object_repr == "新记录" and first_live.prev_hash == record.last_hash
    assert AuditLog.objects.filter(action=Action.ARCHIVE, object_id=str(record.pk)).exists()
    report = chain.verify()
    assert report.ok and report.archives == 1
    assert archive.verify_file(record) is None
    with gzip.open(record.path) as lines:
        assert [orjson.loads(line).get("object_repr") for line in lines][1:] == [f"旧记录 {i}" for i in range(5)]
    call_command("audit_verify", "--archives")
    assert "哈希链完整" in capsys.readouterr().out
    # Later writes keep chaining after the archive; a tampered file is found.
    append([AuditLog(channel=Channel.SYSTEM, action=Action.CREATE, object_type="x", object_id="1", object_repr="x")])
    assert chain.verify().ok
    with gzip.open(record.path, "wb") as out:
        out.write(b"{}\n")
    with pytest.raises(CommandError, match="摘要"):
        call_command("audit_verify", "--archives")


def test_archive_refuses_rows_inside_the_retention_period(regions, users, settings, tmp_path):
    settings.FUPIN_AUDIT_ARCHIVE_DIR = tmp_path / "archive"
    _old_and_new_rows(regions)
    with pytest.raises(CommandError, match="183"):
        call_command("audit_archive", "--before", (timezone.localdate() - dt.timedelta(days=30)).isoformat())
    assert AuditLog.objects.count() == 6 and not AuditArchive.objects.exists()
    settings.FUPIN_AUDIT_RETENTION_DAYS = 90
    assert [e.id for e in retention_period(None)] == ["fupin.audit.E001"]
    with pytest.raises(ValidationError, match="不得少于 183 天"):
        archive.archive(before=timezone.now() - dt.timedelta(days=300), acting_user=None, channel=Channel.CLI)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only")
def test_postgres_trigger_refuses_deleting_young_rows_even_when_a_cut_is_announced(regions, users):
    from django.db import DatabaseError, transaction

    _old_and_new_rows(regions)
    young = AuditLog.objects.get(object_repr="新记录").pk
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('fupin.audit_archive_before', %s, true)", [timezone.now().isoformat()])
        cursor.execute("DELETE FROM audit_auditlog WHERE id = %s", [young])


def test_demo_reset_restarts_the_chain_with_a_row_saying_so(db, settings):
    from fupin.demo import generator as demo

    settings.AUTH_PASSWORD_VALIDATORS = []  # the demo's shared password is for demo instances only
    today = dt.date(2026, 6, 30)
    demo.run(300, seed=7, today=today)
    assert chain.verify().ok and AuditLog.objects.filter(object_type="household").exists()
    demo.run(300, seed=7, reset=True, today=today)
    first = AuditLog.objects.order_by("id").first()
    assert first.action == Action.RESET and first.prev_hash == chain.GENESIS
    report = chain.verify()
    assert report.ok and report.restarted_at == first.pk and report.rows == AuditLog.objects.count() > 300


def test_a_big_log_is_verified_by_a_background_job(client, auditor, users, make_household, regions, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    from fupin.audit import views
    from fupin.jobs.models import Job

    make_household(regions["village_a1"])
    monkeypatch.setattr(views, "INLINE_VERIFY_ROWS", 1)
    login(client, auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("audit:verify"), {"run": "1"})
    job = Job.objects.get(kind="audit.verify")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.result["report"]["ok"] and job.result["summary"].startswith("哈希链完整")


def test_household_history_api_masks_rows_written_before_masking(client, users, make_household, regions):
    household = make_household(regions["village_a1"])
    number = new_id()
    _raw("INSERT INTO audit_auditlog (time, user_id, username, channel, action, object_type, object_id, "
         "object_repr, parent_type, parent_id, region_code, note, changes, prev_hash, hash) "
         "VALUES (%s, NULL, '', 'page', 'update', 'member', '1', %s, 'household', %s, %s, %s, %s, '', '')",
         [timezone.now(), f"成员 {number}", str(household.pk), regions["village_a1"].code, f"改号 {number}",
          json.dumps({"id_number": [number, number]})])
    login(client, users["village_a1"])
    response = client.get(f"/api/households/{household.pk}/history")
    assert any(item["object_repr"].startswith("成员 " + number[:6]) for item in response.json()["items"])
    assert not FULL_ID.search(response.content.decode())
