from django.db.models import Count, F

from fupin.comparison.models import Suspect, SuspectStatus

from . import CATALOGUE, Family, Indicator

CATALOGUE.add(Indicator("comparison.suspects", "比对疑点数", "条", "数据比对", "comparison", "核查状态",
                        lambda: dict(SuspectStatus.choices)))
CATALOGUE.family(Family(lambda year: Suspect.objects.all(), F("village_code"), F("status"),
                        {"comparison.suspects": Count("id")}))
