"""驻村工作队: the completeness rules against the configured minimum and term, 召回调整 history, attendance, the
`fupin teams check --json` command, scope and audit."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from fupin.assistance import teams
from fupin.assistance.models import (
    AssistanceParameter,
    AttendanceStatus,
    MemberStatus,
    ParameterCode,
    TeamChangeKind,
    TeamMember,
    TeamRole,
    WorkTeam,
)
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel

PAGE = Channel.PAGE
TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=200)
END = START.replace(year=START.year + 2)


@pytest.fixture
def team(regions, users):
    team = teams.save_team(WorkTeam(village=regions["village_a1"], name="县农业农村局驻张庄村工作队",
                                    lead_unit="县农业农村局", start=START), acting_user=users["town_a"], channel=PAGE)
    for name, role in (("刘书记", TeamRole.FIRST_SECRETARY), ("陈队员", TeamRole.MEMBER)):
        teams.save_member(TeamMember(team=team, name=name, unit="县农业农村局", role=role, phone="13900001111",
                                     term_start=START, term_end=END), acting_user=users["town_a"], channel=PAGE)
    return team


def check_of(code, checks):
    return next(c for c in checks if c.village_code == code)


def test_completeness_follows_the_configured_minimum(team, regions, users):
    village = regions["village_a1"]
    check = check_of(village.code, teams.check_villages(teams.villages_to_check()))
    assert check.members == 2 and check.minimum == 3 and check.first_secretary == "刘书记"
    assert check.problems == ["在岗队员2人，少于3人"] and not check.ok
    assert "不少于3人" in check.minimum_source
    # 王庄村 is a 贫困村 without a team; 李庄村 is neither poor nor has a team, so it is not checked.
    codes = {c.village_code: c for c in teams.check_villages(teams.villages_to_check())}
    assert codes[regions["village_b1"].code].problems == ["未选派驻村工作队"]
    assert regions["village_a2"].code not in codes
    # The county configures 2 for itself: the most specific region wins.
    AssistanceParameter.objects.create(code=ParameterCode.TEAM_MIN_MEMBERS, region=regions["county"], value=2,
                                       source="县委组织部文件")
    assert check_of(village.code, teams.check_villages(teams.villages_to_check())).ok


def test_first_secretary_term_and_recall(team, users):
    secretary = team.members.get(role=TeamRole.FIRST_SECRETARY)
    with pytest.raises(ValidationError, match="已有在岗第一书记"):
        teams.save_member(TeamMember(team=team, name="赵", unit="县委组织部", role=TeamRole.FIRST_SECRETARY,
                                     term_start=START, term_end=END), acting_user=users["town_a"], channel=PAGE)
    with pytest.raises(ValidationError, match="不少于2年"):
        teams.save_member(TeamMember(team=team, name="钱", unit="县委组织部", term_start=START,
                                     term_end=START + dt.timedelta(days=400)), acting_user=users["town_a"],
                          channel=PAGE)
    with pytest.raises(ValidationError, match="原因"):
        teams.change_member(secretary, kind=TeamChangeKind.RECALL, date=TODAY, reason=" ", acting_user=users["town_a"],
                            channel=PAGE)
    teams.change_member(secretary, kind=TeamChangeKind.RECALL, date=TODAY, reason="考核不称职",
                        acting_user=users["town_a"], channel=PAGE)
    secretary.refresh_from_db()
    assert secretary.status == MemberStatus.RECALLED and secretary.left_on == TODAY
    assert secretary.changes.get().reason == "考核不称职"
    check = teams.check_villages(teams.villages_to_check(team.village_id[:9]))[0]
    assert "未选派第一书记" in check.problems and check.first_secretary is None
    assert AuditLog.objects.filter(object_type="teammember", note__contains="召回").exists()
    # A term run out is a problem of its own.
    TeamMember.objects.filter(name="陈队员").update(term_end=TODAY - dt.timedelta(days=1))
    check = teams.check_villages(teams.villages_to_check(team.village_id[:9]))[0]
    assert "任期已满未轮换：陈队员" in check.problems and check.members == 0


def test_scope_of_writes(team, users, regions):
    with pytest.raises(PermissionDenied):
        teams.save_team(WorkTeam(village=regions["village_a2"], name="x", lead_unit="y", start=START),
                        acting_user=users["town_b"], channel=PAGE)
    with pytest.raises(ValidationError, match="已有在驻工作队"):
        teams.save_team(WorkTeam(village=regions["village_a1"], name="x", lead_unit="y", start=START),
                        acting_user=users["county"], channel=PAGE)


def test_attendance_and_monthly_summary(team, users):
    members = list(team.members.order_by("name"))
    first = TODAY.replace(day=1)
    teams.record_attendance(team, first, {members[0]: (AttendanceStatus.PRESENT, ""),
                                          members[1]: (AttendanceStatus.LEAVE, "病假")},
                            acting_user=users["village_a1"], channel=PAGE)
    teams.record_attendance(team, first, {members[1]: (AttendanceStatus.PRESENT, "")},
                            acting_user=users["village_a1"], channel=PAGE)  # corrected: still one row a day
    summary = {row.member.name: row.counts for row in teams.monthly_summary(team, first.year, first.month)}
    assert summary[members[1].name] == {"present": 1, "absent": 0, "leave": 0}
    with pytest.raises(ValidationError, match="晚于今天"):
        teams.record_attendance(team, TODAY + dt.timedelta(days=1), {members[0]: (AttendanceStatus.PRESENT, "")},
                                acting_user=users["village_a1"], channel=PAGE)


def test_cli_json(team, regions):
    out = io.StringIO()
    call_command("teams_check", "--json", "--region", regions["county"].code, stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    by_code = {row["village_code"]: row for row in rows}
    assert set(by_code) == {regions["village_a1"].code, regions["village_b1"].code}
    row = by_code[regions["village_a1"].code]
    assert row["village_name"] == "张庄村" and row["members"] == 2 and row["first_secretary"] == "刘书记"
    assert row["minimum"] == 3 and row["ok"] is False and row["problems"] == ["在岗队员2人，少于3人"]
    out = io.StringIO()
    call_command("teams_check", "--region", regions["county"].code, stdout=out)
    assert "张庄村" in out.getvalue() and "未选派驻村工作队" in out.getvalue()
