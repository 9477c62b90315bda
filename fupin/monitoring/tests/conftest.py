"""Fixtures for monitoring tests: lines for the test years and households with accounts, checks and events."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import new_id

YEAR = timezone.localdate().year - 1  # the default run year: the last complete year
LINE = Decimal(7000)


@pytest.fixture
def lines(regions):
    from fupin.procedures.models import LineKind, PovertyLine

    for year in (YEAR - 1, YEAR, YEAR + 1):
        PovertyLine.objects.update_or_create(kind=LineKind.MONITORING, year=year, region=None,
                                             defaults={"amount": LINE})
        PovertyLine.objects.update_or_create(kind=LineKind.POVERTY, year=year, region=None,
                                             defaults={"amount": Decimal(4500)})
    return LINE


@pytest.fixture
def household(make_household, users, lines):
    """``household(village, income=…, last=…, medical=…, members=[…], **household fields)``.

    ``income`` and ``last`` are per-capita net incomes of YEAR and YEAR-1 for a one-person household unless
    ``size`` says otherwise; ``medical`` and ``policy_cost`` are YEAR's 合规自付 and 政策范围内 medical costs; ``security`` (dict) records a 两不愁三保障 check for YEAR.
    """
    from fupin.audit.models import Channel
    from fupin.registry.models import Household, IncomeAccount, Member, SecurityCheck
    from fupin.registry.services import save_income_account, save_security_check

    def make(village, *, income=None, last=None, medical=0, policy_cost=0, extra=(), security=None, wage=None,
             business=0, costs=0, **fields):
        # make_household fixes status, category and cause; set ours afterwards (default: an exited household).
        coded = {k: fields.pop(k) for k in ("status", "category", "main_cause") if k in fields}
        coded.setdefault("status", "2")
        h = make_household(village, extra=extra, **fields)
        Household.objects.filter(pk=h.pk).update(**coded)
        Member.objects.filter(household=h).update(labour_skill="1")  # able to work unless a test says otherwise
        h.refresh_from_db()
        for year, amount in ((YEAR, income), (YEAR - 1, last)):
            if amount is None:
                continue
            size = h.size
            total = Decimal(amount) * size
            account = IncomeAccount(
                household=h, year=year, wage_income=total - business + costs if wage is None else Decimal(wage),
                business_income=Decimal(business), business_costs=Decimal(costs), household_size=size,
                medical_out_of_pocket=Decimal(medical) if year == YEAR else 0,
                medical_in_policy_cost=Decimal(policy_cost) if year == YEAR else 0,
            )
            save_income_account(account, acting_user=users["county"], channel=Channel.PAGE)
        if security is not None:
            check = SecurityCheck(household=h, year=YEAR, checked_on=dt.date(YEAR, 11, 1), **security)
            save_security_check(check, acting_user=users["county"], channel=Channel.PAGE)
        return h

    return make


@pytest.fixture
def member_id():
    return new_id


# The procedures app's driver for moving a procedure through its steps (attachments, notices, time passing).
from fupin.procedures.tests.conftest import days_later, flow  # noqa: F401
