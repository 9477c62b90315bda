import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.funds import services
from fupin.funds.models import Allocation, AllocationStatus, Fund, FundParameter, FundSource, ParameterCode


def _allocation(fund, region, amount, **extra):
    return Allocation(fund=fund, region=region, item="产业奖补", amount=Decimal(amount),
                      allocated_on=dt.date(2026, 2, 1), **extra)


def test_over_allocation_is_refused_in_chinese(fund, allocations, users, regions):
    with pytest.raises(ValidationError) as exc:
        services.save_allocation(_allocation(fund, regions["village_a2"], "500000.01"),
                                 acting_user=users["county"], channel=Channel.PAGE)
    message = exc.value.message_dict["amount"][0]
    assert "超出资金指标" in message and "500,000.00" in message
    # exactly the remainder fits
    services.save_allocation(_allocation(fund, regions["village_a2"], "500000.00"),
                             acting_user=users["county"], channel=Channel.PAGE)
    assert services.allocated_total(fund) == fund.amount


def test_withdrawn_allocation_frees_its_amount(fund, allocations, users, regions):
    services.withdraw_allocation(allocations["a1"], reason="项目调整", acting_user=users["county"], channel=Channel.PAGE)
    assert allocations["a1"].status == AllocationStatus.WITHDRAWN
    assert services.allocated_total(fund) == Decimal("200000")


def test_fund_cannot_shrink_below_its_allocations(fund, allocations, users):
    fund.amount = Decimal("400000")
    with pytest.raises(ValidationError) as exc:
        services.save_fund(fund, acting_user=users["county"], channel=Channel.PAGE)
    assert "已分配" in exc.value.message_dict["amount"][0]


def test_finance_reads_but_cannot_write(fund, finance, regions):
    from fupin.funds.access import funds_work

    assert funds_work.allows(finance)
    assert Fund.objects.visible_to(finance).count() == 1
    with pytest.raises(PermissionDenied):
        services.save_allocation(_allocation(fund, regions["village_a1"], "10"), acting_user=finance,
                                 channel=Channel.PAGE)


def test_scope_township_cannot_allocate_a_county_fund_nor_elsewhere(fund, users, regions):
    with pytest.raises(PermissionDenied):
        services.save_allocation(_allocation(fund, regions["village_a1"], "10"), acting_user=users["town_a"],
                                 channel=Channel.PAGE)
    assert Fund.objects.visible_to(users["town_a"]).count() == 0


def test_allocation_must_lie_in_the_funds_region(users, regions):
    town_fund = services.save_fund(
        Fund(region=regions["town_a"], year=2026, source=FundSource.COUNTY, document_number="舞财〔2026〕3号",
             title="乡镇统筹资金", amount=Decimal("1000")), acting_user=users["county"], channel=Channel.PAGE)
    with pytest.raises(ValidationError) as exc:
        services.save_allocation(_allocation(town_fund, regions["village_b1"], "10"), acting_user=users["county"],
                                 channel=Channel.PAGE)
    assert "尹集镇" in exc.value.message_dict["region"][0]


def test_writes_are_audited(fund, allocations):
    entries = AuditLog.objects.filter(object_type="allocation", object_id=str(allocations["a1"].pk))
    assert entries.count() == 1
    assert entries.get().region_code == allocations["a1"].region_id
    assert AuditLog.objects.filter(object_type="fund", object_id=str(fund.pk)).exists()


def test_parameter_most_specific_region_wins(users, regions):
    assert services.disclosure_days(2026, regions["village_a1"].code) == 10
    services.save_parameter(FundParameter(code=ParameterCode.DISCLOSURE_DAYS, region=regions["county"], value=15,
                                          source="县文件"), acting_user=users["county"], channel=Channel.PAGE)
    assert services.disclosure_days(2026, regions["village_a1"].code) == 15
    assert services.schedule_target(dt.date(2026, 7, 15), regions["county"].code) == Decimal("50")
    assert services.schedule_target(dt.date(2026, 1, 15), regions["county"].code) is None
    with pytest.raises(ValidationError):
        services.save_parameter(FundParameter(code=ParameterCode.DISCLOSURE_DAYS, region=regions["town_a"], value=7),
                                acting_user=users["county"], channel=Channel.PAGE)


def test_progress_by_fund_and_township(fund, allocations, users, regions):
    from fupin.funds.models import Disbursement, DisbursementBatch

    batch = DisbursementBatch.objects.create(file_name="x.csv", region=regions["county"])
    Disbursement.objects.create(batch=batch, allocation=allocations["a1"], fund=fund, village=regions["village_a1"],
                                payee_name="张三", amount=Decimal("150000"), paid_on=dt.date(2026, 3, 1))
    [row] = services.progress_by_fund([fund], users["county"])
    assert row.allocated == Decimal("500000") and row.disbursed == Decimal("150000")
    assert row.percent == "30.0%"
    townships = {p.key: p for p in services.progress_by_township(users["county"], year=2026)}
    assert townships[regions["town_a"].code].share == 50.0
    assert townships[regions["town_b"].code].disbursed == 0
    assert [p.key for p in services.progress_by_township(users["town_b"])] == [regions["town_b"].code]
