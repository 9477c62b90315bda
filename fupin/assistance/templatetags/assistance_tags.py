"""What the household file and the monitored household's page show of assistance (帮扶)."""

from django import template

from fupin.monitoring.models import OPEN_ALERT_STATUSES, Alert, MonitoredHousehold, MonitoredStatus

from ..models import Measure, Pairing, Visit
from ..services import can_manage, current_pairings

register = template.Library()


@register.simple_tag
def household_monitoring(household, user) -> dict:
    """What the household file shows of monitoring and assistance: current monitoring, the open alert, helpers."""
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


@register.simple_tag
def household_assistance(household) -> dict:
    """The household's pairings, measures and last visits (the monitored household's page)."""
    return {
        "pairings": Pairing.objects.filter(household=household).select_related("helper"),
        "measures": Measure.objects.filter(household=household).select_related("helper"),
        "visits": Visit.objects.filter(household=household).select_related("helper").prefetch_related("photos")[:20],
    }
