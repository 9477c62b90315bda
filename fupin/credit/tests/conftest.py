import datetime as dt
from decimal import Decimal

import pytest

from conftest import PASSWORD, new_id
from fupin.core.channels import Channel


@pytest.fixture
def finance(regions):
    """A 财政 department account of the county: reads the money apps, changes nothing."""
    from fupin.accounts.models import Role, User

    return User.objects.create_user("caizheng", password=PASSWORD, role=Role.DEPARTMENT, department="财政",
                                    region=regions["county"], full_name="财政局")


@pytest.fixture
def borrower_household(make_household):
    """``borrower_household(village, born=…, **household fields)``: a registered household whose head is the
    borrower (born 1980 unless told)."""

    def make(village, born=dt.date(1980, 5, 17), **fields):
        return make_household(village, head_id=new_id(born), **fields)

    return make


@pytest.fixture
def make_loan(borrower_household, regions, users):
    """``make_loan(village=…, **loan fields)``: a loan through the service (as the county), defaults a 1-year
    50,000 元 loan at 4.35 % paying interest quarterly."""
    from fupin.credit import services
    from fupin.credit.models import Loan

    counter = iter(range(1, 10**6))

    def make(village=None, household=None, acting_user=None, **fields):
        household = household or borrower_household(village or regions["village_a1"])
        values = {"bank": "县农商银行", "contract_number": f"HT{next(counter):05d}", "amount": Decimal("50000"),
                  "term_months": 12, "annual_rate": Decimal("4.35"), "start_date": dt.date(2026, 1, 10),
                  "purpose": "breeding", **fields}
        loan = Loan(household=household, borrower=household.members.get(relation="01"), **values)
        return services.save_loan(loan, acting_user=acting_user or users["county"], channel=Channel.PAGE)

    return make
