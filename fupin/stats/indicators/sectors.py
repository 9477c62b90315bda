from django.db.models import Count, F

from fupin.sectors.choices import GapStatus
from fupin.sectors.models import CoverageGap

from . import CATALOGUE, Family, Indicator

CATALOGUE.add(Indicator("sectors.gaps", "行业政策应享未享", "人次", "行业部门", "sectors", "状态",
                        lambda: dict(GapStatus.choices)))
CATALOGUE.family(Family(lambda year: CoverageGap.objects.filter(year=year), F("village_code"), F("status"),
                        {"sectors.gaps": Count("id")}, yearly=True))
