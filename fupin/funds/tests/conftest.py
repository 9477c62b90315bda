"""Fixtures of the funds tests: a finance (财政) reader, a county fund with allocations, a bank file writer."""

import csv
import datetime as dt
from decimal import Decimal

import pytest

from fupin.core import excel
from fupin.core.channels import Channel


@pytest.fixture
def finance(regions):
    from fupin.accounts.models import Role, User

    return User.objects.create_user("caizheng", password="Test1234pass", role=Role.DEPARTMENT, department="财政",
                                    region=regions["county"], full_name="财政局")


@pytest.fixture
def fund(users, regions):
    from fupin.funds.models import Fund, FundSource
    from fupin.funds.services import save_fund

    return save_fund(Fund(region=regions["county"], year=2026, source=FundSource.CENTRAL,
                          document_number="豫财农〔2026〕12号", document_date=dt.date(2026, 1, 10),
                          title="中央财政衔接推进乡村振兴补助资金", amount=Decimal("1000000.00")),
                     acting_user=users["county"], channel=Channel.PAGE)


@pytest.fixture
def allocations(fund, users, regions):
    """An allocation to each township's first village."""
    from fupin.funds.models import Allocation
    from fupin.funds.services import save_allocation

    def make(region, item, amount):
        return save_allocation(Allocation(fund=fund, region=region, item=item, amount=Decimal(amount),
                                          allocated_on=dt.date(2026, 2, 1)),
                               acting_user=users["county"], channel=Channel.PAGE)

    return {"a1": make(regions["village_a1"], "产业奖补", "300000"),
            "b1": make(regions["village_b1"], "雨露计划", "200000")}


HEADER = ["凭证号", "收款人", "身份证号", "银行卡号", "金额", "拨付日期", "村代码", "资金分配编号", "资金文号"]


@pytest.fixture
def bank_file(tmp_path):
    """Write rows (lists in HEADER order) as .csv or .xlsx; returns the path."""
    def write(rows, suffix=".csv", header=HEADER):
        path = tmp_path / f"bank{suffix}"
        if suffix == ".csv":
            with open(path, "w", encoding="utf-8-sig", newline="") as fh:
                csv.writer(fh).writerows([header, *rows])
        else:
            excel.write_table(path, "拨付明细", [excel.Col(h) for h in header], rows)
        return path

    return write
