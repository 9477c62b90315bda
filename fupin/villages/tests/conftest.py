"""Fixtures of the villages tests: poor people in a village, a village's yearly data and checklist answers."""

from decimal import Decimal

import pytest

from fupin.core.channels import Channel


@pytest.fixture
def poor_people(users):
    """``poor_people(village, n, status="1", user=county)``: one household of ``n`` members with that 户状态."""
    from conftest import new_id
    from fupin.registry.models import Household, Member
    from fupin.registry.services import create_household

    counter = iter(range(1, 10**6))

    def make(village, n, status="1", user=None):
        fields = {"status": status, "category": "1", "main_cause": "1", "identification_year": 2016} if status else {}
        household = Household(number=f"{village.code}{next(counter):04d}", village=village, **fields)
        members = [Member(name=f"成员{i}", id_number=new_id(area=village.code[:6]), relation="01" if i == 0 else "10")
                   for i in range(n)]
        return create_household(household, members, acting_user=user or users["county"], channel=Channel.PAGE)

    return make


@pytest.fixture
def village_data(users):
    """``village_data(village, year, population=…, collective=…, income=…, answers={code: bool} or "all")``."""
    from fupin.villages import services
    from fupin.villages.models import VillageYear

    def make(village, year, *, population=None, collective=None, income=None, answers=None):
        row = services.save_village_year(
            VillageYear(village=village, year=year, rural_population=population,
                        collective_income=None if collective is None else Decimal(collective),
                        per_capita_income=None if income is None else Decimal(income)),
            acting_user=users["county"], channel=Channel.PAGE)
        checklist = services.indicators_for([village.code])[village.code]
        if answers == "all":
            answers = {i.code: True for i in checklist}
        for item in checklist:
            if answers and item.code in answers:
                services.answer(village, year, item, met=answers[item.code], note="现场核实",
                                acting_user=users["county"], channel=Channel.PAGE)
        return row

    return make


@pytest.fixture
def passing(regions, poor_people, village_data):
    """张庄村 passes 2025: 1 poor person of 100, 集体收入 6万, income up 10 % (the county's other village 5 %)."""
    village = regions["village_a1"]
    poor_people(village, 1)
    village_data(village, 2024, income=10000)
    village_data(village, 2025, population=100, collective=60000, income=11000, answers="all")
    village_data(regions["village_a2"], 2024, population=100, income=10000)
    village_data(regions["village_a2"], 2025, population=100, income=10500)
    return village
