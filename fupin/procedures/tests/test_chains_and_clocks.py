"""Issue 10 §3: the identification and exit chains as seed 003 checks them (村级公示、乡镇公示、县级公告), the county's
approval refused before its announcement is published, working-day deadlines over the holiday calendar, overdue
steps reported to the level above, and the deadline colours (with words) on the to-do list."""

import datetime as dt
import importlib
import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.procedures import notices, services, workdays
from fupin.procedures.models import (
    CalendarDay,
    DayKind,
    Decision,
    Kind,
    NoticeKind,
    ProcedureDefinition,
    Status,
    StepDefinition,
)
from fupin.registry.choices import HouseholdStatus

from .conftest import YEAR, days_later

PAGE = Channel.PAGE
CHAIN = ["户申请", "村民代表大会评议", "村级公示", "乡镇审核", "乡镇公示", "县级审批", "县级公告"]


@pytest.fixture
def applicant(regions, household, accounts):
    h = household(regions["village_a1"], status=HouseholdStatus.CANCELLED, category="4", head_name="刘二柱")
    accounts(h, 2000)
    return h


@pytest.fixture
def identification(applicant, users):
    return services.start_procedure(Kind.IDENTIFICATION, applicant, year=YEAR,
                                    details={"category": "2", "main_cause": "2"}, reason="申请纳入",
                                    acting_user=users["village_a1"], channel=PAGE)


def on(monkeypatch, day: dt.date):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


# --- the chains --------------------------------------------------------------------------------------------------


def test_default_chains_are_the_seed_steps_with_their_levels_and_notices(db):
    identification = ProcedureDefinition.objects.get(kind=Kind.IDENTIFICATION, region=None)
    steps = list(identification.steps.all())
    assert [s.name for s in steps] == CHAIN
    assert [s.actor_level for s in steps] == [5, 5, 5, 4, 4, 3, 3]
    assert [(s.name, s.notice_kind, s.notice_days) for s in steps if s.is_notice] == [
        ("村级公示", NoticeKind.PUBLICITY, 7), ("乡镇公示", NoticeKind.PUBLICITY, 7),
        ("县级公告", NoticeKind.ANNOUNCEMENT, 7)]
    assert all(s.working_days for s in steps)
    exit_steps = [s.name for s in ProcedureDefinition.objects.get(kind=Kind.EXIT, region=None).steps.all()]
    assert exit_steps == ["收支测算与民主评议", "户签字认可", *CHAIN[2:]]


def test_county_approval_is_refused_until_its_announcement_is_published(identification, applicant, users, flow,
                                                                        monkeypatch):
    for _ in range(6):
        flow.advance(identification)
    identification.refresh_from_db()
    assert identification.current_step.name == "县级公告"
    county = users["county"]
    with pytest.raises(ValidationError, match="尚未发布“县级公告”公告"):
        services.decide(identification, Decision.PASS, acting_user=county, channel=PAGE)
    today = timezone.localdate()
    period = {"procedures": [identification], "start_date": today, "end_date": today + dt.timedelta(days=6)}
    with pytest.raises(ValidationError, match="当前不在县级公示环节"):  # a 公示 does not stand in for the 公告
        notices.create_notice(kind=NoticeKind.PUBLICITY, acting_user=county, channel=PAGE, **period)
    assert list(notices.eligible_procedures(county, NoticeKind.ANNOUNCEMENT)) == [identification]
    draft = notices.create_notice(kind=NoticeKind.ANNOUNCEMENT, acting_user=county, channel=PAGE, **period)
    with pytest.raises(ValidationError, match="尚未发布“县级公告”公告"):  # a draft is not published
        services.decide(identification, Decision.PASS, acting_user=county, channel=PAGE)
    notices.publish_notice(draft, acting_user=county, channel=PAGE)
    with pytest.raises(ValidationError, match="期满后方可通过"):
        services.decide(identification, Decision.PASS, acting_user=county, channel=PAGE)
    applicant.refresh_from_db()
    assert applicant.status == HouseholdStatus.CANCELLED  # the register has not changed yet
    with days_later(monkeypatch, 7):
        approved = services.decide(identification, Decision.PASS, acting_user=county, channel=PAGE)
    assert approved.status == Status.APPROVED
    applicant.refresh_from_db()
    assert applicant.status == HouseholdStatus.NEW


def test_the_new_chain_replaces_only_an_unedited_national_definition(db):
    migration = importlib.import_module("fupin.procedures.migrations.0006_chains_and_calendar")
    previous = migration._previous()
    national = ProcedureDefinition.objects.get(kind=Kind.EXIT, region=None)

    def reset_to_0002():
        national.name, national.description = previous["exit"]["name"], previous["exit"]["description"]
        national.save()
        national.steps.all().delete()
        StepDefinition.objects.bulk_create(StepDefinition(definition=national, working_days=False, **s)
                                           for s in previous["exit"]["steps"])

    reset_to_0002()
    migration.install(apps, None)
    assert [s.name for s in national.steps.all()][-1] == "县级公告"
    reset_to_0002()
    StepDefinition.objects.filter(definition=national, order=3).update(notice_days=5)  # an administrator's edit
    migration.install(apps, None)
    steps = list(national.steps.all())
    assert len(steps) == 5 and steps[2].notice_days == 5 and not steps[0].working_days


def test_a_running_procedure_keeps_its_steps_when_the_chain_changes(identification):
    national = ProcedureDefinition.objects.get(kind=Kind.IDENTIFICATION, region=None)
    national.steps.filter(name="乡镇公示").delete()
    assert [s.name for s in identification.steps.all()] == CHAIN


# --- working days ------------------------------------------------------------------------------------------------


def test_a_step_started_on_the_friday_before_the_national_holiday_counts_working_days(applicant, users,
                                                                                      monkeypatch):
    # 2025: 9月28日（周日）上班, 10月1日至8日放假, 10月11日（周六）上班 — seeded from the 国务院办公厅 notice.
    on(monkeypatch, dt.date(2025, 9, 26))  # a Friday
    procedure = services.start_procedure(Kind.IDENTIFICATION, applicant, year=YEAR,
                                         details={"category": "2", "main_cause": "2"},
                                         acting_user=users["village_a1"], channel=PAGE)
    first = procedure.steps.get(order=1)
    # 7 working days: 9/28 (调休上班), 9/29, 9/30, then 10/9, 10/10, 10/11 (调休上班), 10/13
    assert (first.started, first.due) == (dt.date(2025, 9, 26), dt.date(2025, 10, 13))
    calendar = workdays.WorkCalendar(applicant.village_id)
    assert not calendar.is_working(dt.date(2025, 10, 8)) and calendar.is_working(dt.date(2025, 10, 11))
    assert calendar.add(dt.date(2025, 9, 26), 1) == dt.date(2025, 9, 28)


def test_a_calendar_day_step_and_a_regional_holiday(regions, applicant, users, monkeypatch):
    county = regions["village_a1"].code[:6] + "000000"
    CalendarDay.objects.create(date=dt.date(2025, 9, 29), kind=DayKind.HOLIDAY, name="地方节日", region_id=county)
    calendar = workdays.WorkCalendar(applicant.village_id)
    assert calendar.add(dt.date(2025, 9, 26), 2) == dt.date(2025, 9, 30)  # 9/28 works, 9/29 is the county's holiday
    assert workdays.WorkCalendar(regions["village_b1"].code).add(dt.date(2025, 9, 26), 2) in (
        dt.date(2025, 9, 29), dt.date(2025, 9, 30))
    assert workdays.due_date(dt.date(2025, 9, 26), 7, working_days=False, region_code=county) == dt.date(2025, 10, 3)


def test_clock_states_are_words_as_well_as_colours(identification, users, monkeypatch):
    step = identification.steps.get(order=1)
    calendar = workdays.WorkCalendar(identification.village_id)
    start = step.started
    assert workdays.clock(step, calendar, start).state == workdays.ClockState.ON_TIME
    assert workdays.clock(step, calendar, start).label.startswith("按期（剩余7个工作日")
    assert workdays.clock(step, calendar, step.due).label == "今日到期"
    before_due = next(d for d in (step.due - dt.timedelta(days=n) for n in range(1, 5)) if calendar.is_working(d))
    assert workdays.clock(step, calendar, before_due).state == workdays.ClockState.DUE_SOON
    late = workdays.clock(step, calendar, calendar.add(step.due, 2))
    assert (late.state, late.label) == (workdays.ClockState.OVERDUE, "已逾期2个工作日")


# --- overdue steps go up a level -----------------------------------------------------------------------------------


def test_an_overdue_village_step_is_on_the_township_to_do_list_and_is_reported_once(identification, users,
                                                                                   monkeypatch):
    step = identification.steps.get(order=1)
    town = users["town_a"]
    assert list(services.todo_steps(town)) == []
    on(monkeypatch, step.due + dt.timedelta(days=1))
    assert list(services.todo_steps(town)) == [step]
    assert list(services.todo_steps(users["town_b"])) == []
    assert list(services.todo_steps(users["county"])) == []  # two levels up: only its own and the township's
    with pytest.raises(PermissionDenied, match="乡镇级、县级"):
        services.escalate_overdue(acting_user=users["village_a1"], channel=PAGE)
    assert services.escalate_overdue(channel=Channel.SYSTEM) == 1
    assert services.escalate_overdue(channel=Channel.SYSTEM) == 0  # once per activation
    step.refresh_from_db()
    assert step.escalated is not None
    action = identification.actions.get(decision=Decision.ESCALATE)
    assert "逾期上报乡镇级督办" in action.comment
    entry = AuditLog.objects.filter(object_type="procedure", object_id=str(identification.pk),
                                    note__contains="逾期上报").get()
    assert entry.changes["escalated"] == [None, "1. 户申请"]
    client = Client()
    client.force_login(town)
    page = client.get("/procedures/?todo=on").content.decode()
    assert "已逾期" in page and "text-bg-danger" in page and "已逾期上报" in page
    out = StringIO()
    call_command("procedures_list", "--user", "xiang_a", "--todo", "--json", stdout=out)
    row = json.loads(out.getvalue().splitlines()[0])
    assert row["id"] == identification.pk and row["overdue"] is True  # the old fields stay
    assert (row["due_state"], row["escalated"]) == ("overdue", True) and row["due_label"].startswith("已逾期")


def test_escalation_command_and_api(identification, users, monkeypatch, api_client):
    on(monkeypatch, identification.steps.get(order=1).due + dt.timedelta(days=3))
    out = StringIO()
    call_command("procedures_escalate", stdout=out)
    assert "已逾期上报1个环节" in out.getvalue()
    response = api_client(users["county"]).post("/api/procedures/escalate", "{}", content_type="application/json")
    assert response.status_code == 200 and response.json() == {"count": 0}
    detail = api_client(users["town_a"]).get(f"/api/procedures/{identification.pk}").json()
    assert detail["current_due_state"] == "overdue" and detail["steps"][0]["escalated"]
    assert detail["steps"][0]["working_days"] is True


# --- the calendar: page, API, CLI ----------------------------------------------------------------------------------


@pytest.fixture
def root(users):
    from fupin.accounts.models import Role, User

    return User.objects.create_superuser("root", password="x-Long-Passw0rd!", role=Role.ADMIN)


def test_calendar_import_replaces_a_year_and_is_audited(users, root, tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text("日期,类别,名称\n2027-01-01,放假,元旦\n2027-02-06,调休上班,春节\n", encoding="utf-8")
    out = StringIO()
    call_command("calendar_import", str(path), "--year", "2027", "--user", "root", "--document", "测试通知",
                 "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"year": 2027, "imported": 2, "replaced": 0, "holidays": 1, "workdays": 1}
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 6)).kind == DayKind.WORKDAY
    assert AuditLog.objects.filter(object_type="calendarday", note__contains="导入2027年").count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,类别,名称\n2028-01-01,放假,元旦\n2027-13-01,休,x\n", encoding="utf-8")
    with pytest.raises(Exception, match="不在2027年"):
        call_command("calendar_import", str(bad), "--year", "2027", "--user", "root", stdout=StringIO())
    assert CalendarDay.objects.filter(date__year=2027).count() == 2  # nothing written on a refusal
    with pytest.raises(Exception, match="超级管理员"):
        call_command("calendar_import", str(path), "--year", "2027", "--user", "guanli", stdout=StringIO())
    county = tmp_path / "county.csv"
    county.write_text("日期,类别,名称\n2027-03-03,放假,地方节日\n", encoding="utf-8")
    call_command("calendar_import", str(county), "--year", "2027", "--user", "guanli", "--region", "410481000000",
                 stdout=StringIO())  # the county's administrator keeps the county's own calendar
    assert CalendarDay.objects.get(date=dt.date(2027, 3, 3)).region_id == "410481000000"


def test_calendar_page_and_api(users, root, api_client):
    client = Client()
    client.force_login(root)
    page = client.get("/procedures/calendar/?year=2026").content.decode()
    assert "2025年、2026年" in page and "国庆节" in page and "尚未录入" not in page
    assert "2027年尚未录入全国节假日安排" in client.get("/procedures/calendar/?year=2027").content.decode()
    api = api_client(root)
    days = api.get("/api/calendar?year=2025").json()
    assert {"date": "2025-09-28", "kind": "workday"}.items() <= next(d for d in days if d["date"] == "2025-09-28").items()
    due = api.get("/api/calendar/due?start=2025-09-26&days=7").json()
    assert due["due"] == "2025-10-13"
    created = api.post("/api/calendar", {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"},
                       content_type="application/json")
    assert created.status_code == 201, created.content
    assert api_client(users["county"]).delete(f"/api/calendar/{created.json()['id']}").status_code == 403
