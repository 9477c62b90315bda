"""Yearly dynamic adjustment: open, set-based proposal, village confirmation, bulk start job, close and reopen."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import new_id
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.jobs.models import Status as JobStatus
from fupin.procedures import adjustment as adj
from fupin.procedures import services
from fupin.procedures.models import (
    AdjustmentStatus,
    Candidate,
    CandidateStatus,
    Kind,
    PovertyLine,
    Procedure,
    SnapshotHousehold,
)
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household, Member
from fupin.registry.services import remove_member, save_member

from .conftest import YEAR

PAGE = Channel.PAGE


@pytest.fixture
def county_year(regions, users):
    return adj.open_adjustment(regions["county"], YEAR, acting_user=users["county"], channel=PAGE)


@pytest.fixture
def population(regions, household, accounts, users):
    """One household of each kind of candidate, plus households that must not be proposed."""
    a1, b1 = regions["village_a1"], regions["village_b1"]
    made = {
        "ready": household(a1, head_name="脱贫甲"),
        "poor_still": household(a1, head_name="未达标乙"),
        "child_out": household(a1, head_name="辍学丙", extra=[("辍学丙子", new_id(born=dt.date(2003, 1, 1)), "20")]),
        "uninsured": household(b1, head_name="未参保丁", extra=[("丁妻", new_id(), "10",
                                                               {"basic_medical_insurance": False})]),
        "new_this_year": household(b1, head_name="新识别戊", status=HouseholdStatus.NEW, identification_year=YEAR),
        "fell_back": household(b1, head_name="返贫己", status=HouseholdStatus.EXITED, exit_year=2015),
        "stable_exited": household(b1, head_name="稳定庚", status=HouseholdStatus.EXITED, exit_year=2015),
        "house_broke": household(a1, head_name="危房辛", status=HouseholdStatus.EXITED, exit_year=2015),
        "farmer_low": household(a1, head_name="农户壬", status=HouseholdStatus.CANCELLED, category="4"),
        "farmer_ok": household(a1, head_name="农户癸", status=HouseholdStatus.CANCELLED, category="4"),
        "changed": household(b1, head_name="增减子", status=HouseholdStatus.EXITED, exit_year=2015,
                             extra=[("增减子父", new_id(born=dt.date(1940, 1, 1)), "51")]),
    }
    accounts(made["ready"], 3500)
    accounts(made["poor_still"], 2500)
    accounts(made["child_out"], 3500)
    accounts(made["uninsured"], 3500)
    accounts(made["new_this_year"], 3500)
    accounts(made["fell_back"], 2000)
    accounts(made["stable_exited"], 5000)
    accounts(made["house_broke"], 5000, house_grade="D")
    accounts(made["farmer_low"], 1800)
    accounts(made["farmer_ok"], 8000)
    accounts(made["changed"], 5000)
    # registered in 2015; during the adjustment period the father died and a grandchild was born
    registered = timezone.make_aware(dt.datetime(2015, 6, 1))
    Household.objects.filter(pk=made["changed"].pk).update(created=registered)
    Member.objects.filter(household=made["changed"]).update(created=registered)
    father = made["changed"].members.get(relation="51")
    remove_member(father, "死亡", acting_user=users["county"], channel=PAGE)
    save_member(Member(household=made["changed"], name="增减子孙", id_number=new_id(born=dt.date(2016, 3, 1)),
                       relation="40"), acting_user=users["county"], channel=PAGE)
    # a household outside the county is never proposed
    return made


def candidates(county_year):
    return {(c.household.head_name, c.kind) for c in Candidate.objects.filter(adjustment=county_year)
            .select_related("household")}


def test_open_needs_the_county_and_a_line(regions, users):
    with pytest.raises(PermissionDenied, match="县级账号"):
        adj.open_adjustment(regions["county"], YEAR, acting_user=users["town_a"], channel=PAGE)
    with pytest.raises(ValidationError, match="请选择县级区划"):
        adj.open_adjustment(regions["town_a"], YEAR, acting_user=users["county"], channel=PAGE)
    with pytest.raises(PermissionDenied, match="不在当前账号的管辖范围内"):
        adj.open_adjustment(regions["province"], YEAR, acting_user=users["county"], channel=PAGE)
    with pytest.raises(ValidationError, match="未设置2035年度的扶贫标准"):
        adj.open_adjustment(regions["county"], 2035, acting_user=users["county"], channel=PAGE)
    opened = adj.open_adjustment(regions["county"], YEAR, acting_user=users["county"], channel=PAGE)
    assert opened.line_amount == Decimal("2952")
    with pytest.raises(ValidationError, match="已开启过"):
        adj.open_adjustment(regions["county"], YEAR, acting_user=users["county"], channel=PAGE)


def test_proposal_is_set_based_and_exact(county_year, population, users, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):  # the same handful of statements for 10 or 100,000 households
        result = adj.propose(county_year, acting_user=users["county"])
    assert candidates(county_year) == {
        ("脱贫甲", Kind.EXIT),
        ("返贫己", Kind.RETURN),
        ("危房辛", Kind.RETURN),
        ("农户壬", Kind.IDENTIFICATION),
        ("增减子", Kind.NATURAL),
    }
    assert result["proposed"] == {"exit": 1, "return": 2, "identification": 1, "natural": 1}
    fell = Candidate.objects.get(household=population["fell_back"])
    assert (fell.per_capita_income, fell.line_amount, fell.security_ok) == (Decimal("2000"), Decimal("2952"), True)
    broke = Candidate.objects.get(household=population["house_broke"])
    assert broke.security_ok is False
    changed = Candidate.objects.get(household=population["changed"])
    assert (changed.members_added, changed.members_removed) == (1, 1)
    # members who came with a household registered during the period are not natural changes
    assert not Candidate.objects.filter(kind=Kind.NATURAL).exclude(household=population["changed"]).exists()


def test_set_based_proposal_agrees_with_the_per_household_checks(county_year, population, users):
    """Every proposed exit passes the start check; every poor household not proposed fails it."""
    from fupin.procedures import checks

    adj.propose(county_year, acting_user=users["county"])
    proposed = set(Candidate.objects.filter(kind=Kind.EXIT).values_list("household_id", flat=True))
    for household in population.values():
        household.refresh_from_db()
        if household.status in HouseholdStatus.IN_POVERTY:
            assert checks.check_exit(household, YEAR, {}).ok == (household.pk in proposed), household.head_name


def test_reproposal_keeps_decisions_and_skips_open_procedures(county_year, population, users):
    adj.propose(county_year, acting_user=users["county"])
    ready = Candidate.objects.filter(household=population["ready"])
    adj.decide_candidates(ready, confirm=True, acting_user=users["village_a1"], channel=PAGE)
    services.start_procedure(Kind.RETURN, population["fell_back"], year=YEAR, acting_user=users["village_b1"],
                             channel=PAGE)
    adj.propose(county_year, acting_user=users["county"])
    assert ready.get().status == CandidateStatus.CONFIRMED
    assert not Candidate.objects.filter(household=population["fell_back"]).exists()
    assert Candidate.objects.filter(adjustment=county_year).count() == 4


def test_village_confirms_or_rejects_its_own_candidates(county_year, population, users):
    adj.propose(county_year, acting_user=users["county"])
    a1_candidates = Candidate.objects.filter(village_id="410481100201")
    with pytest.raises(PermissionDenied, match="管辖范围"):
        adj.decide_candidates(a1_candidates, confirm=True, acting_user=users["village_b1"], channel=PAGE)
    with pytest.raises(PermissionDenied, match="村级账号"):
        adj.decide_candidates(a1_candidates, confirm=True, acting_user=users["county"], channel=PAGE)
    farmer = Candidate.objects.filter(household=population["farmer_low"])
    with pytest.raises(ValidationError, match="不纳入须填写原因"):
        adj.decide_candidates(farmer, confirm=False, acting_user=users["village_a1"], channel=PAGE)
    adj.decide_candidates(farmer, confirm=False, reason="家有营运货车，经评议不纳入",
                          acting_user=users["village_a1"], channel=PAGE)
    assert farmer.get().status == CandidateStatus.REJECTED
    assert AuditLog.objects.filter(object_type="candidate", note__contains="营运货车").count() == 1
    assert adj.decide_candidates(a1_candidates.exclude(household=population["farmer_low"]), confirm=True,
                                 acting_user=users["village_a1"], channel=PAGE) == 2


def test_bulk_start_runs_as_a_job(county_year, population, users, django_capture_on_commit_callbacks, accounts):
    adj.propose(county_year, acting_user=users["county"])
    for village in ("village_a1", "village_b1"):
        adj.decide_candidates(Candidate.objects.visible_to(users[village]), confirm=True,
                              details={"category": "1", "main_cause": "9"} if village == "village_a1" else None,
                              acting_user=users[village], channel=PAGE)
    accounts(population["ready"], 2000)  # the household's income was corrected after confirmation
    with django_capture_on_commit_callbacks(execute=True):
        job = adj.queue_start(county_year, acting_user=users["county"])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.result["started"], job.result["refused"]) == (4, 1)
    assert job.result["summary"] == "已发起4个程序；1户未通过校验，原因见候选列表"
    refused = Candidate.objects.get(household=population["ready"])
    assert refused.status == CandidateStatus.REFUSED and "未超过2016年扶贫标准" in refused.reason
    started = Procedure.objects.filter(adjustment=county_year)
    assert set(started.values_list("kind", flat=True)) == {Kind.RETURN, Kind.IDENTIFICATION, Kind.NATURAL}
    identification = started.get(kind=Kind.IDENTIFICATION)
    assert identification.details == {"category": "1", "main_cause": "9"}
    assert started.get(kind=Kind.NATURAL).details["change"] == "recorded"
    with pytest.raises(ValidationError, match="没有已确认"):
        adj.queue_start(county_year, acting_user=users["county"])


def test_propose_job_reports_progress_and_failure(county_year, population, users,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = adj.queue_propose(county_year, acting_user=users["county"])
    job.refresh_from_db()
    assert (job.status, job.result["total"], job.done, job.total) == (JobStatus.SUCCEEDED, 5, 4, 4)
    assert job.result["summary"].startswith("测算完成，共5户候选：脱贫退出1户、返贫纳入2户")
    with pytest.raises(PermissionDenied):
        adj.queue_propose(county_year, acting_user=users["town_a"])
    PovertyLine.objects.filter(year=YEAR).delete()
    with django_capture_on_commit_callbacks(execute=True):
        job = adj.queue_propose(county_year, acting_user=users["county"])
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "未设置2016年度的扶贫标准" in job.message


def test_close_freezes_a_snapshot_and_locks_the_year(county_year, population, users, flow, monkeypatch):
    adj.propose(county_year, acting_user=users["county"])
    with pytest.raises(ValidationError, match="尚有5户候选未经村级确认"):
        adj.close_adjustment(county_year, acting_user=users["county"], channel=PAGE)
    for village in ("village_a1", "village_b1"):
        adj.decide_candidates(Candidate.objects.visible_to(users[village]).exclude(kind=Kind.EXIT), confirm=False,
                              reason="另行处理", acting_user=users[village], channel=PAGE)
    adj.decide_candidates(Candidate.objects.filter(kind=Kind.EXIT), confirm=True, acting_user=users["village_a1"],
                          channel=PAGE)
    with pytest.raises(ValidationError, match="尚有1户已确认的候选未发起程序"):
        adj.close_adjustment(county_year, acting_user=users["county"], channel=PAGE)
    adj.start_confirmed(county_year, acting_user=users["village_a1"])
    with pytest.raises(ValidationError, match="尚有1个2016年度程序未办结"):
        adj.close_adjustment(county_year, acting_user=users["county"], channel=PAGE)
    flow.to_end(Procedure.objects.get(adjustment=county_year))
    with pytest.raises(PermissionDenied):
        adj.close_adjustment(county_year, acting_user=users["town_a"], channel=PAGE)
    summary = adj.close_adjustment(county_year, acting_user=users["county"], channel=PAGE)
    county_year.refresh_from_db()
    assert county_year.status == AdjustmentStatus.CLOSED
    assert summary["households"] == len(population) == SnapshotHousehold.objects.count()
    frozen = SnapshotHousehold.objects.get(household_id=population["ready"].pk)
    assert (frozen.status, frozen.exit_year, frozen.per_capita_net_income) == ("2", YEAR, Decimal("3500"))
    assert summary["by_status"]["2"]["households"] == 5
    # the register may change afterwards; the snapshot does not
    population["ready"].status = "3"
    population["ready"].save()
    frozen.refresh_from_db()
    assert frozen.status == HouseholdStatus.EXITED
    # locked: no new procedure of that year, no proposal
    with pytest.raises(ValidationError, match="数据已锁定"):
        services.start_procedure(Kind.EXIT, population["poor_still"], year=YEAR, acting_user=users["village_a1"],
                                 channel=PAGE)
    with pytest.raises(ValidationError, match="已关闭"):
        adj.propose(county_year, acting_user=users["county"])
    assert services.year_locked("410481100201", YEAR) and not services.year_locked("410481100201", YEAR + 1)
    # reopening needs a reason, which is recorded
    with pytest.raises(ValidationError, match="须填写原因"):
        adj.reopen_adjustment(county_year, reason=" ", acting_user=users["county"], channel=PAGE)
    adj.reopen_adjustment(county_year, reason="市扶贫办通知〔2017〕3号要求补录", acting_user=users["county"],
                          channel=PAGE)
    assert county_year.events.last().reason == "市扶贫办通知〔2017〕3号要求补录"
    assert not services.year_locked("410481100201", YEAR)
    # closing again replaces the snapshot
    adj.close_adjustment(county_year, acting_user=users["county"], channel=PAGE)
    assert SnapshotHousehold.objects.get(household_id=population["ready"].pk).status == HouseholdStatus.RETURNED
    assert Member.objects.count()  # members untouched
