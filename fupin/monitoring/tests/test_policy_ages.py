"""The policy ages and the risk-event window as parameters per county and year (installed by migration 0008), read by
the engine's member and event facts and by the risk-elimination check, which also requires 大病保险 and, for
working-age members, 城乡居民基本养老保险 (seed 001_0bb7bab9b073102f.txt)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fupin.core import idnumber
from fupin.monitoring import criteria, engine, planning
from fupin.monitoring.models import EliminationMethod, Parameter, RiskEvent
from fupin.procedures import policy
from fupin.regions.models import Level, Region
from fupin.registry.models import Household, Member

from .conftest import YEAR


def set_parameter(code, value, region=None, year=None):
    Parameter.objects.update_or_create(code=code, region=region, year=year,
                                       defaults={"name": code, "value": Decimal(value)})


def facts(household) -> dict:
    return planning.household_facts(household, YEAR)


@pytest.mark.django_db
def test_the_migration_installs_the_defaults_with_their_source():
    installed = {p.code: p for p in Parameter.objects.filter(code__in=engine.POLICY_CODES, region=None, year=None)}
    assert {code: int(p.value) for code, p in installed.items()} == {
        "school_age_min": 6, "school_age_max": 15, "labour_age_min": 16, "labour_age_max": 60,
        "event_window_days": 365,
    }
    assert "domain-facts.md" in installed["school_age_min"].note


@pytest.mark.django_db
def test_a_county_parameter_changes_the_member_facts(regions, household, member_id):
    sixteen = member_id(born=dt.date(YEAR - 16, 3, 1))  # 16 on 1 September, not at school
    sixty_two = member_id(born=dt.date(YEAR - 62, 3, 1))
    h = household(regions["village_a1"], income=8000, extra=[("少年", sixteen, "20"), ("老父", sixty_two, "51")])
    Member.objects.filter(household=h).update(labour_skill="1")
    before = facts(h)
    assert (before["school_age_out"], before["labourers"]) == (0, 2)  # the head and the 16-year-old
    set_parameter(policy.SCHOOL_AGE_MAX, 16, region=regions["county"], year=YEAR)
    set_parameter(policy.LABOUR_AGE_MAX, 65, region=regions["county"])
    after = facts(h)
    assert (after["school_age_out"], after["labourers"]) == (1, 3)


@pytest.mark.django_db
def test_the_event_window_is_a_parameter(regions, household):
    h = household(regions["village_a1"], income=8000)
    RiskEvent.objects.create(household=h, village=h.village, kind="illness", date=timezone.localdate() - dt.timedelta(days=200),
                             description="住院")
    assert facts(h)["illness_events"] == 1
    set_parameter("event_window_days", 180, region=regions["county"])
    assert facts(h)["illness_events"] == 0


@pytest.mark.django_db
def test_counties_that_differ_are_evaluated_each_with_its_own_ages(regions, household, member_id):
    other = Region.objects.create(code="410482000000", name="汝州市", level=Level.COUNTY, parent=regions["city"])
    town = Region.objects.create(code="410482100000", name="一镇", level=Level.TOWNSHIP, parent=other)
    village = Region.objects.create(code="410482100201", name="一村", level=Level.VILLAGE, parent=town)
    born = dt.date(YEAR - 16, 3, 1)
    here = household(regions["village_a1"], income=8000, extra=[("甲", member_id(born=born), "20")])
    there = household(regions["village_a2"], income=8000, extra=[("乙", member_id(born=born), "20")])
    Household.objects.filter(pk=there.pk).update(village=village)  # moved to the other county
    set_parameter(policy.SCHOOL_AGE_MAX, 16, region=other)
    plan, _warnings = planning.build_plan("monitoring", regions["city"].code, YEAR)
    plan.rules = []
    rows = {r["household_id"]: r for r in engine.facts_rows(plan)}
    assert (rows[here.pk]["school_age_out"], rows[there.pk]["school_age_out"]) == (0, 1)


@pytest.mark.django_db
def test_elimination_requires_serious_illness_insurance_and_pension(regions, household, member_id):
    spouse = member_id()
    h = household(regions["village_a1"], income=8000, extra=[("配偶", spouse, "10")])
    details = {"method": EliminationMethod.NATURAL}
    assert "保险" not in criteria.elimination_check(h, YEAR, details).message()
    Member.objects.filter(id_number=spouse).update(serious_illness_insurance=False, pension_insurance=False)
    message = criteria.elimination_check(h, YEAR, details).message()
    assert (f"成员配偶（{idnumber.mask(spouse)}）未参加大病保险、城乡居民基本养老保险（16至59周岁应参保）"
            in message)
