"""Exit checks 大病保险 beside 基本医疗保险 and 城乡居民基本养老保险 for working-age members (seed
001_0bb7bab9b073102f.txt), with the policy ages as parameters per county and year; the set-based proposal of the
yearly adjustment tests the same conditions."""

import datetime as dt
from decimal import Decimal

import pytest

from conftest import new_id
from fupin.core import idnumber
from fupin.core.channels import Channel
from fupin.monitoring.models import Parameter
from fupin.procedures import adjustment as adj
from fupin.procedures import checks, policy
from fupin.procedures.models import Candidate, Kind

from .conftest import YEAR

SIXTY_THREE = dt.date(YEAR - 63, 3, 1)  # 63 at the end of YEAR


def exit_problems(household) -> str:
    household.refresh_from_db()
    return checks.check_exit(household, YEAR, {}).message()


def set_parameter(code, value, region=None, year=None):
    Parameter.objects.update_or_create(code=code, region=region, year=year,
                                       defaults={"name": code, "value": Decimal(value)})


@pytest.mark.django_db
def test_exit_refused_without_serious_illness_insurance_naming_the_masked_member(regions, household, accounts):
    id_ = new_id()
    h = household(regions["village_a1"], extra=[("钱大病", id_, "10", {"serious_illness_insurance": False})])
    accounts(h, 3500)
    message = exit_problems(h)
    assert f"成员钱大病（{idnumber.mask(id_)}）未参加大病保险" in message
    assert id_ not in message


@pytest.mark.django_db
def test_exit_refused_for_a_working_age_member_without_pension(regions, household, accounts):
    id_ = new_id(born=dt.date(YEAR - 40, 1, 1))
    h = household(regions["village_a1"], extra=[
        ("孙养老", id_, "10", {"pension_insurance": False}),
        # at school (exempt), below and above working age: none of them fails
        ("孙学生", new_id(born=dt.date(YEAR - 19, 1, 1)), "20", {"pension_insurance": False, "schooling": "11"}),
        ("孙小", new_id(born=dt.date(YEAR - 10, 1, 1)), "20", {"pension_insurance": False, "schooling": "03"}),
        ("孙老", new_id(born=SIXTY_THREE), "51", {"pension_insurance": False}),
    ])
    accounts(h, 3500)
    message = exit_problems(h)
    assert f"成员孙养老（{idnumber.mask(id_)}）未参加城乡居民基本养老保险（16至59周岁应参保）" in message
    for exempt in ("孙学生", "孙小", "孙老"):
        assert exempt not in message


@pytest.mark.django_db
def test_a_county_with_labour_age_up_to_65_fails_a_63_year_old_without_pension(regions, household, accounts):
    h = household(regions["village_a1"], extra=[("周老", new_id(born=SIXTY_THREE), "51", {"pension_insurance": False})])
    accounts(h, 3500)
    assert exit_problems(h) == ""
    set_parameter(policy.LABOUR_AGE_MAX, 65, region=regions["county"])
    assert "成员周老" in exit_problems(h)
    assert "16至64周岁应参保" in exit_problems(h)
    # another year's row does not apply
    Parameter.objects.filter(code=policy.LABOUR_AGE_MAX).update(year=YEAR + 1)
    assert exit_problems(h) == ""


@pytest.mark.django_db
def test_school_age_is_a_parameter(regions, household, accounts):
    sixteen = new_id(born=dt.date(YEAR - 16, 3, 1))  # 16 on 1 September
    h = household(regions["village_a1"], extra=[("吴少年", sixteen, "20")])
    accounts(h, 3500)
    assert "义务教育" not in exit_problems(h)
    set_parameter(policy.SCHOOL_AGE_MAX, 17, region=regions["province"], year=YEAR)
    assert "成员吴少年，16岁，义务教育阶段适龄未在校" in exit_problems(h)


@pytest.mark.django_db
def test_defaults_equal_the_installed_values(regions):
    ages = policy.ages(YEAR, regions["village_a1"].code)
    assert (ages.school_min, ages.school_max, ages.labour_min, ages.labour_max) == (6, 15, 16, 60)
    assert ages.school_birth_range(YEAR) == (dt.date(YEAR - 16, 9, 1), dt.date(YEAR - 6, 9, 1))


@pytest.mark.django_db
def test_set_based_proposal_tests_the_same_insurance_and_pension(regions, users, household, accounts):
    a1 = regions["village_a1"]
    made = {
        "ready": household(a1, head_name="可退甲"),
        "no_serious": household(a1, head_name="无大病乙", extra=[("乙妻", new_id(), "10",
                                                                {"serious_illness_insurance": False})]),
        "no_pension": household(a1, head_name="无养老丙", extra=[("丙妻", new_id(), "10", {"pension_insurance": False})]),
        "older": household(a1, head_name="老人丁", extra=[("丁父", new_id(born=SIXTY_THREE), "51",
                                                             {"pension_insurance": False})]),
    }
    for h in made.values():
        accounts(h, 3500)
    set_parameter(policy.LABOUR_AGE_MAX, 65, region=regions["county"])
    county_year = adj.open_adjustment(regions["county"], YEAR, acting_user=users["county"], channel=Channel.PAGE)
    adj.propose(county_year, acting_user=users["county"])
    proposed = set(Candidate.objects.filter(adjustment=county_year, kind=Kind.EXIT)
                   .values_list("household__head_name", flat=True))
    assert proposed == {"可退甲"}
    for h in made.values():
        assert checks.check_exit(h, YEAR, {}).ok == (h.head_name in proposed), h.head_name
