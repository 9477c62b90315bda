"""Monitoring overview: counts by kind, risk type, village and status, and the overdue work, all within scope."""

from collections import Counter

from django.db.models import Count
from django.utils import timezone

from fupin.procedures.models import ProcedureStep, Status, StepStatus
from fupin.regions.models import Region

from .models import (
    ELIMINATION,
    INCLUSION,
    OPEN_ALERT_STATUSES,
    Alert,
    AlertStatus,
    Finding,
    MonitoredHousehold,
    MonitoredKind,
    MonitoredStatus,
    RiskType,
    Source,
)


def overdue_procedure_steps(user):
    """Active steps of the monitoring procedures past their deadline (the 15-day rule shows up here)."""
    return ProcedureStep.objects.visible_to(user).filter(
        status=StepStatus.ACTIVE, due__lt=timezone.localdate(), procedure__status=Status.IN_PROGRESS,
        procedure__kind__in=(INCLUSION, ELIMINATION),
    ).select_related("procedure__household", "procedure__village").order_by("due")


def overview(user) -> dict:
    monitored = MonitoredHousehold.objects.visible_to(user)
    current = monitored.filter(status=MonitoredStatus.MONITORING)
    alerts = Alert.objects.visible_to(user)
    kinds = dict(current.values_list("kind").annotate(n=Count("id")))
    risks = Counter()
    for codes in current.values_list("risks", flat=True).iterator(chunk_size=5000):
        risks.update(c for c in codes.split(",") if c)
    by_village = {}
    for village, kind, n in current.values_list("village_id", "kind").annotate(n=Count("id")):
        by_village.setdefault(village, Counter())[kind] += n
    open_by_village = dict(alerts.filter(status__in=OPEN_ALERT_STATUSES).values_list("village_id")
                           .annotate(n=Count("id")))
    findings_by_village = dict(Finding.objects.visible_to(user).filter(fixed__isnull=True).values_list("village_id")
                               .annotate(n=Count("id")))
    villages = set(by_village) | set(open_by_village) | set(findings_by_village)
    names = dict(Region.objects.filter(code__in=villages).values_list("code", "name"))
    village_rows = [
        {"code": code, "name": names.get(code, code), "kinds": [by_village.get(code, {}).get(k, 0)
                                                                 for k in MonitoredKind.values],
         "monitored": sum(by_village.get(code, {}).values()), "open_alerts": open_by_village.get(code, 0),
         "findings": findings_by_village.get(code, 0)}
        for code in sorted(villages)
    ]
    return {
        "monitoring": current.count(),
        "eliminated": monitored.filter(status=MonitoredStatus.ELIMINATED).count(),
        "kinds": [(label, kinds.get(value, 0)) for value, label in MonitoredKind.choices],
        "risks": sorted(((RiskType(c).label if c in RiskType.values else c, n) for c, n in risks.items()),
                        key=lambda item: -item[1]),
        "alert_status": [(label, alerts.filter(status=value).count()) for value, label in AlertStatus.choices],
        "alert_source": [(label, alerts.filter(status__in=OPEN_ALERT_STATUSES, source=value).count())
                         for value, label in Source.choices],
        "overdue_alerts": alerts.filter(status=AlertStatus.PENDING, due__lt=timezone.localdate()).count(),
        "overdue_steps": overdue_procedure_steps(user)[:50],
        "villages": village_rows,
        "kind_labels": MonitoredKind.labels,
    }
