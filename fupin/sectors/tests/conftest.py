import datetime as dt

import pytest

from conftest import new_id

YEAR = 2026


@pytest.fixture
def family(make_household, regions):
    """``family(village, members=[(name, born, {member fields})], **household fields)``: a household whose head is
    the first member (born 1980 unless given)."""
    from fupin.registry.models import Household, Member

    def make(village=None, members=(), **fields):
        village = village or regions["village_a1"]
        extra = [(name, new_id(born), "20") for name, born, _fields in members]
        household = make_household(village, extra=extra, **fields)
        by_name = {m.name: m for m in Member.objects.filter(household=household)}
        for name, born, member_fields in members:
            Member.objects.filter(pk=by_name[name].pk).update(birth_date=born, **member_fields)
        household = Household.objects.get(pk=household.pk)
        return household

    return make


@pytest.fixture
def member_of():
    from fupin.registry.models import Member

    def get(household, name):
        return Member.objects.get(household=household, name=name)

    return get


@pytest.fixture
def student_born():
    """Born so as to be of compulsory-school age (10) in YEAR."""
    return dt.date(YEAR - 10, 3, 1)
