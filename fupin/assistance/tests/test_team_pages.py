"""The team, unit-pairing and parameter pages and API: scope, masked phones, query counts, the Excel import (all or
nothing), missing plans flagged, audit."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import PASSWORD
from fupin.assistance import imports, teams, units
from fupin.assistance.models import PlanKind, TeamMember, TeamRole, UnitPairing, UnitPlan, WorkTeam
from fupin.audit.models import AuditLog
from fupin.core import excel
from fupin.core.channels import Channel

PAGE = Channel.PAGE
TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=30)


@pytest.fixture
def team(regions, users):
    team = teams.save_team(WorkTeam(village=regions["village_a1"], name="张庄村工作队", lead_unit="县农业农村局",
                                    start=START), acting_user=users["town_a"], channel=PAGE)
    teams.save_member(TeamMember(team=team, name="刘书记", unit="县农业农村局", role=TeamRole.FIRST_SECRETARY,
                                 phone="13912345678", term_start=START, term_end=START.replace(year=START.year + 2)),
                      acting_user=users["town_a"], channel=PAGE)
    return team


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_team_pages_scope_and_masking(client, team, users, regions, django_assert_num_queries):
    login(client, users["town_b"])
    assert client.get(f"/assistance/teams/{team.pk}/").status_code == 404
    listing = client.get("/assistance/teams/").content.decode()
    assert "张庄村" not in listing and "王庄村" in listing and "未选派驻村工作队" in listing
    client.logout()
    login(client, users["county"])
    client.get("/assistance/teams/")
    with django_assert_num_queries(10):  # session, user, menu, villages, teams and members, parameters …
        listing = client.get("/assistance/teams/?completeness=problems").content.decode()
    assert "在岗队员1人，少于3人" in listing and "配备不完整 2 个村" in listing
    detail = client.get(f"/assistance/teams/{team.pk}/").content.decode()
    assert "139****5678" in detail and "13912345678" not in detail
    members = client.get("/assistance/team-members/").content.decode()
    assert "刘书记" in members and "13912345678" not in members
    export = client.get("/assistance/team-members/export/")
    assert export.status_code == 200


def test_attendance_page(client, team, users):
    login(client, users["village_a1"])
    member = team.members.get()
    response = client.post(f"/assistance/teams/{team.pk}/attendance/",
                           {"date": TODAY.isoformat(), f"status-{member.pk}": "leave", f"note-{member.pk}": "培训"})
    assert response.status_code == 302
    page = client.get(f"/assistance/teams/{team.pk}/?month={TODAY:%Y-%m}").content.decode()
    assert member.attendance.get().status == "leave" and "培训" not in page  # the summary counts, the note is kept
    assert AuditLog.objects.filter(object_type="attendance", region_code=team.village_id).count() == 1


def test_import_members_all_or_nothing(tmp_path, regions, users):
    path = tmp_path / "members.xlsx"
    good = [regions["village_a2"].code, "", "县水利局", "钱队长", "县水利局", "队长", "", "2026-01-05", "2028-01-05"]
    bad = [regions["village_a2"].code, "", "县水利局", "孙队员", "县水利局", "组长", "", "2026-01-05", "2026-06-01"]
    path.write_bytes(excel.to_bytes(imports.TEMPLATE, [good, bad]))
    result = imports.import_members(path, acting_user=users["town_a"], channel=PAGE)
    assert not result.ok and not WorkTeam.objects.filter(village=regions["village_a2"]).exists()
    assert [str(e) for e in result.errors] == ["第3行「职务」：职务应为第一书记、队长、队员之一"]
    bad[5] = "队员"
    path.write_bytes(excel.to_bytes(imports.TEMPLATE, [good, bad]))
    result = imports.import_members(path, acting_user=users["town_a"], channel=PAGE)
    assert not result.ok and "不少于2年" in str(result.errors[0]) and result.errors[0].row == 3
    bad[8] = "2028-01-05"
    path.write_bytes(excel.to_bytes(imports.TEMPLATE, [good, bad]))
    result = imports.import_members(path, acting_user=users["town_a"], channel=PAGE)
    assert result.ok and result.counts == {"teams": 1, "members": 2}
    assert WorkTeam.objects.get(village=regions["village_a2"]).members.count() == 2
    outside = imports.import_members(path, acting_user=users["town_b"], channel=PAGE)
    assert not outside.ok and "管辖范围" in str(outside.errors[0])


def test_unit_pairing_missing_plans(client, regions, users):
    pairing = units.save_pairing(UnitPairing(unit="县财政局", village=regions["village_a1"],
                                             start=dt.date(TODAY.year - 1, 3, 1)),
                                 acting_user=users["town_a"], channel=PAGE)
    assert units.missing(pairing) == ["缺三年帮扶规划", f"缺{TODAY.year}年度帮扶计划", f"缺{TODAY.year - 1}年度帮扶总结"]
    units.save_plan(UnitPlan(pairing=pairing, kind=PlanKind.THREE_YEAR, year=TODAY.year - 1, text="三年规划"),
                    [SimpleUploadedFile("规划.pdf", b"%PDF-1.4")], acting_user=users["town_a"], channel=PAGE)
    units.save_plan(UnitPlan(pairing=pairing, kind=PlanKind.PLAN, year=TODAY.year, text="年度计划"),
                    acting_user=users["town_a"], channel=PAGE)
    pairing = UnitPairing.objects.prefetch_related("plans").get(pk=pairing.pk)
    assert units.missing(pairing) == [f"缺{TODAY.year - 1}年度帮扶总结"]
    login(client, users["town_a"])
    listing = client.get("/assistance/units/").content.decode()
    assert f"缺{TODAY.year - 1}年度帮扶总结" in listing
    detail = client.get(f"/assistance/units/{pairing.pk}/").content.decode()
    assert "规划.pdf" in detail
    attachment = pairing.plans.get(kind=PlanKind.THREE_YEAR).attachments.get()
    assert client.get(f"/assistance/unit-plan-files/{attachment.pk}/").status_code == 200
    client.logout()
    login(client, users["town_b"])
    assert client.get(f"/assistance/unit-plan-files/{attachment.pk}/").status_code == 404
    assert client.get(f"/assistance/units/{pairing.pk}/").status_code == 404


def test_api_teams_and_check(api_client, team, users, regions):
    town = api_client(users["town_a"])
    checks = town.get("/api/assistance/teams/check").json()
    assert {c["village_code"] for c in checks} == {regions["village_a1"].code}
    assert checks[0]["problems"] == ["在岗队员1人，少于3人"] and checks[0]["ok"] is False
    members = town.get(f"/api/assistance/teams/{team.pk}/members").json()
    assert members[0]["phone"] == "139****5678"
    created = town.post(f"/api/assistance/teams/{team.pk}/members",
                        {"name": "陈队员", "unit": "县农业农村局", "term_start": START.isoformat(),
                         "term_end": (START + dt.timedelta(days=200)).isoformat()}, content_type="application/json")
    assert created.status_code == 422 and "不少于2年" in created.json()["detail"]
    assert api_client(users["town_b"]).get(f"/api/assistance/teams/{team.pk}/members").status_code == 404
    recalled = town.post(f"/api/assistance/team-members/{team.members.get().pk}/changes",
                         {"kind": "recall", "date": TODAY.isoformat(), "reason": "工作调动"},
                         content_type="application/json")
    assert recalled.status_code == 201 and recalled.json()["status"] == "recalled"


def test_parameter_page_needs_an_administrator(client, users, regions):
    login(client, users["county"])
    assert "驻村工作队最少人数" in client.get("/assistance/parameters/").content.decode()
    response = client.post("/assistance/parameters/new/", {"code": "team_min_members", "region": regions["county"].code,
                                                            "value": "4", "source": "县文件"})
    assert response.status_code == 200 and "系统管理员" in response.content.decode()
    client.logout()
    login(client, users["admin"])
    response = client.post("/assistance/parameters/new/", {"code": "team_min_members", "region": regions["county"].code,
                                                            "value": "4", "source": "县文件"})
    assert response.status_code == 302
    assert teams.check_villages(teams.villages_to_check())[0].minimum == 4
