from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household

from . import CATALOGUE, Family, Indicator

APP, GROUP = "registry", "建档立卡"


CATALOGUE.add(
    Indicator("registry.households", "建档户数", "户", GROUP, APP, "户状态", dictionary="household_status"),
    Indicator("registry.people", "建档人数", "人", GROUP, APP, "户状态", dictionary="household_status"),
    Indicator("registry.category", "贫困户属性户数", "户", GROUP, APP, "贫困户属性",
              dictionary="household_category"),
    Indicator("registry.cause", "主要致贫原因户数", "户", GROUP, APP, "主要致贫原因", dictionary="poverty_cause"),
    Indicator("registry.exit_households", "当年脱贫户数", "户", GROUP, APP),
    Indicator("registry.exit_people", "当年脱贫人数", "人", GROUP, APP),
)

REGISTERED = Q(status__in=HouseholdStatus.REGISTERED)
CATALOGUE.family(Family(lambda year: Household.objects.all(), F("village_id"), F("status"),
                        {"registry.households": Count("id"), "registry.people": Coalesce(Sum("size"), 0)}))
CATALOGUE.family(Family(lambda year: Household.objects.filter(REGISTERED), F("village_id"), F("category"),
                        {"registry.category": Count("id")}))
CATALOGUE.family(Family(lambda year: Household.objects.filter(REGISTERED), F("village_id"), F("main_cause"),
                        {"registry.cause": Count("id")}))
CATALOGUE.family(Family(lambda year: Household.objects.filter(exit_year=year), F("village_id"), None,
                        {"registry.exit_households": Count("id"), "registry.exit_people": Coalesce(Sum("size"), 0)},
                        yearly=True))
