from django.db.models import Count, F

from fupin.assistance.models import Measure, MeasureKind, Pairing, Visit

from . import CATALOGUE, Family, Indicator

APP, GROUP = "assistance", "帮扶"

CATALOGUE.add(
    Indicator("assistance.pairings", "在结对帮扶户数", "户", GROUP, APP),
    Indicator("assistance.visits", "当年走访次数", "次", GROUP, APP),
    Indicator("assistance.visited", "当年走访户数", "户", GROUP, APP),
    Indicator("assistance.measures", "当年帮扶措施数", "项", GROUP, APP, "措施类别", lambda: dict(MeasureKind.choices)),
)
CATALOGUE.family(Family(lambda year: Pairing.objects.filter(end=None), F("village_id"), None,
                        {"assistance.pairings": Count("household_id", distinct=True)}))
CATALOGUE.family(Family(lambda year: Visit.objects.filter(date__year=year), F("village_id"), None,
                        {"assistance.visits": Count("id"), "assistance.visited": Count("household_id", distinct=True)},
                        yearly=True))
CATALOGUE.family(Family(lambda year: Measure.objects.filter(date__year=year), F("village_id"), F("kind"),
                        {"assistance.measures": Count("id")}, yearly=True))
