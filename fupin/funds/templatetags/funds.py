"""Template helpers of the funds pages and of the panels this app adds to other apps' pages (household file,
project page, 总览), each scoped to the viewing user."""

from django import template
from django.db.models import Sum

from fupin.core.tables import mask_phone

from .. import services
from ..models import Allocation, AllocationStatus, Disbursement

register = template.Library()
PANEL_ROWS = 50


@register.filter
def get_progress(progress: dict, key):
    return progress.get(key)


@register.filter
def account(number):
    """A bank account as lists show it: the last 4 digits."""
    return mask_phone(number)


@register.simple_tag
def household_disbursements(household, user):
    """Payments to the household's members, matched by ID number (the ones the user's scope covers)."""
    return list(services.household_disbursements(household, user).select_related("fund")[:PANEL_ROWS])


@register.simple_tag
def project_funds(project, user):
    allocations = list(Allocation.objects.visible_to(user).filter(project=project).select_related("fund", "region")
                       .annotate(disbursed=Sum("disbursements__amount")).order_by("-allocated_on"))
    disbursements = list(Disbursement.objects.visible_to(user).filter(allocation__project=project)
                         .select_related("village").order_by("-paid_on", "-id")[:PANEL_ROWS])
    allocated = sum((a.amount for a in allocations if a.status == AllocationStatus.ISSUED), services.ZERO)
    disbursed = sum((a.disbursed or services.ZERO for a in allocations), services.ZERO)
    return {"allocations": allocations, "disbursements": disbursements, "allocated": allocated,
            "disbursed": disbursed, "percent": services.Progress(project, "", allocated, disbursed).percent}
