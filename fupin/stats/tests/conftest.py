"""Fixtures of the stats tests: a small county's households, a fund with an allocation and payment, rebuilt."""

import datetime as dt
from decimal import Decimal

import pytest

from fupin.core.channels import Channel


@pytest.fixture
def county_data(make_household, users, regions):
    """Households in three villages (statuses 1 and 2, one exited this year), a fund, an issued allocation and a
    payment; returns the figures one would count by hand."""
    from fupin.funds.models import Allocation, Disbursement, DisbursementBatch, Fund, FundSource
    from fupin.funds.services import save_allocation, save_fund
    from fupin.stats.services import current_year

    year = current_year()
    for village, statuses in (("village_a1", "1122"), ("village_a2", "1"), ("village_b1", "22")):
        for status in statuses:
            make_household(regions[village], status=status, exit_year=year if status == "2" else None)
    fund = save_fund(Fund(region=regions["county"], year=year, source=FundSource.CENTRAL, document_number="豫财农12号",
                          title="衔接资金", amount=Decimal("1000000.00")), acting_user=users["county"],
                     channel=Channel.PAGE)
    allocation = save_allocation(Allocation(fund=fund, region=regions["village_a1"], item="产业奖补",
                                            amount=Decimal("300000"), allocated_on=dt.date(year, 2, 1)),
                                 acting_user=users["county"], channel=Channel.PAGE)
    batch = DisbursementBatch.objects.create(region=regions["county"], file_name="bank.csv")
    Disbursement.objects.create(batch=batch, allocation=allocation, fund=fund, village=regions["village_a1"],
                                payee_name="张三", amount=Decimal("75000"), paid_on=dt.date(year, 3, 1))
    return {"year": year}
