from django.db.models import Count, F

from fupin.monitoring.models import Alert, AlertStatus, MonitoredHousehold, MonitoredKind, MonitoredStatus

from . import CATALOGUE, Family, Indicator

APP, GROUP = "monitoring", "防返贫监测"


def _choices(choices):
    return lambda: dict(choices.choices)


CATALOGUE.add(
    Indicator("monitoring.monitored", "监测对象户数（监测帮扶中）", "户", GROUP, APP, "监测对象类别",
              _choices(MonitoredKind)),
    Indicator("monitoring.eliminated", "风险已消除户数", "户", GROUP, APP, "监测对象类别", _choices(MonitoredKind)),
    Indicator("monitoring.included", "当年纳入监测户数", "户", GROUP, APP, "监测对象类别", _choices(MonitoredKind)),
    Indicator("monitoring.alerts", "当年预警数", "条", GROUP, APP, "状态", _choices(AlertStatus)),
)

CATALOGUE.family(Family(lambda year: MonitoredHousehold.objects.filter(status=MonitoredStatus.MONITORING),
                        F("village_id"), F("kind"), {"monitoring.monitored": Count("id")}))
CATALOGUE.family(Family(lambda year: MonitoredHousehold.objects.filter(status=MonitoredStatus.ELIMINATED),
                        F("village_id"), F("kind"), {"monitoring.eliminated": Count("id")}))
CATALOGUE.family(Family(lambda year: MonitoredHousehold.objects.filter(year=year), F("village_id"), F("kind"),
                        {"monitoring.included": Count("id")}, yearly=True))
CATALOGUE.family(Family(lambda year: Alert.objects.filter(year=year), F("village_id"), F("status"),
                        {"monitoring.alerts": Count("id")}, yearly=True))
