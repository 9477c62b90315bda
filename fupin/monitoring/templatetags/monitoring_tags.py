from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None



@register.simple_tag
def household_monitoring(household, user) -> dict:
    """What the household file shows of monitoring and assistance: current monitoring, the open alert, helpers."""
    from fupin.assistance.models import Measure, Visit
    from fupin.assistance.services import can_manage, current_pairings
    from fupin.monitoring.models import OPEN_ALERT_STATUSES, Alert, MonitoredHousehold, MonitoredStatus

    return {
        "monitored": MonitoredHousehold.objects.filter(household=household).order_by(
            "status", "-identified_on").first(),
        "alert": Alert.objects.filter(household=household, status__in=OPEN_ALERT_STATUSES).first(),
        "pairings": current_pairings(household).select_related("helper"),
        "measures": Measure.objects.filter(household=household).count(),
        "last_visit": Visit.objects.filter(household=household).order_by("-date").first(),
        "can_manage": can_manage(user, household.village_id),
        "is_monitoring": MonitoredStatus.MONITORING,
    }
