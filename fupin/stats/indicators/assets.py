from django.db.models import Count, F, Sum

from fupin.assets.choices import AssetKind
from fupin.assets.models import Asset, Income

from . import CATALOGUE, Family, Indicator

APP, GROUP = "assets", "扶贫项目资产"

CATALOGUE.add(
    Indicator("assets.count", "资产数", "项", GROUP, APP, "资产类别", lambda: dict(AssetKind.choices)),
    Indicator("assets.value", "资产原值", "元", GROUP, APP, "资产类别", lambda: dict(AssetKind.choices)),
    Indicator("assets.income", "当年资产收益", "元", GROUP, APP),
)
CATALOGUE.family(Family(lambda year: Asset.objects.all(), F("region_id"), F("kind"),
                        {"assets.count": Count("id"), "assets.value": Sum("value")}))
CATALOGUE.family(Family(lambda year: Income.objects.filter(year=year), F("asset__region_id"), None,
                        {"assets.income": Sum("amount")}, yearly=True))
