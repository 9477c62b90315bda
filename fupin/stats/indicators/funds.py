from django.db.models import F, Sum

from fupin.funds.models import Allocation, AllocationStatus, Disbursement, Fund, FundSource

from . import CATALOGUE, Family, Indicator

APP, GROUP = "funds", "扶贫资金"


def _sources():
    return dict(FundSource.choices)


CATALOGUE.add(
    Indicator("funds.amount", "资金指标", "元", GROUP, APP, "资金来源", _sources),
    Indicator("funds.allocated", "已分配资金", "元", GROUP, APP, "资金来源", _sources),
    Indicator("funds.disbursed", "已拨付资金", "元", GROUP, APP, "资金来源", _sources),
    Indicator("funds.progress", "支出进度", "%", GROUP, APP, ratio=("funds.disbursed", "funds.allocated")),
)
# Each at the region it is kept under: the fund at its county, an allocation where it is spent, a payment at the
# payee's village.
CATALOGUE.family(Family(lambda year: Fund.objects.filter(year=year), F("region_id"), F("source"),
                        {"funds.amount": Sum("amount")}, yearly=True))
CATALOGUE.family(Family(lambda year: Allocation.objects.filter(fund__year=year, status=AllocationStatus.ISSUED),
                        F("region_id"), F("fund__source"), {"funds.allocated": Sum("amount")}, yearly=True))
CATALOGUE.family(Family(lambda year: Disbursement.objects.filter(fund__year=year), F("village_id"), F("fund__source"),
                        {"funds.disbursed": Sum("amount")}, yearly=True))
