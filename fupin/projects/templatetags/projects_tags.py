from decimal import Decimal

from django import template

from ..models import Project, ProjectBeneficiary

register = template.Library()


@register.filter
def wan(amount):
    """Yuan as 万元 with two decimals (how project amounts are read in the county's tables)."""
    if amount in (None, ""):
        return ""
    return f"{Decimal(amount) / 10000:,.2f}"


@register.simple_tag
def household_projects(household, user):
    """The projects a household benefits from, as far as the user may see them (one query)."""
    return list(ProjectBeneficiary.objects.filter(household=household, project__in=Project.objects.visible_to(user))
                .select_related("project__region").order_by("-project__year", "project__id"))
