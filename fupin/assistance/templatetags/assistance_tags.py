"""What the household file and the monitored household's page show of assistance (帮扶)."""

from django import template
from django.db.models import Prefetch

from fupin.core.tables import mask_phone
from fupin.monitoring.models import OPEN_ALERT_STATUSES, Alert, MonitoredHousehold, MonitoredStatus

from ..models import Measure, MemberStatus, Pairing, TeamMember, Visit, WorkTeam
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
        "team": WorkTeam.objects.filter(village_id=household.village_id, active=True).prefetch_related(
            Prefetch("members", queryset=TeamMember.objects.filter(status=MemberStatus.ACTIVE)
                     .order_by("role", "name"))).first(),
    }


@register.simple_tag
def household_assistance(household) -> dict:
    """The household's pairings, measures and last visits (the monitored household's page)."""
    return {
        "pairings": Pairing.objects.filter(household=household).select_related("helper"),
        "measures": Measure.objects.filter(household=household).select_related("helper"),
        "visits": Visit.objects.filter(household=household).select_related("helper").prefetch_related("photos")[:20],
    }


@register.filter
def masked_phone(number):
    """A phone in a list: 138****1234 (the full number is on the record's own page for those who manage it)."""
    return mask_phone(number)
