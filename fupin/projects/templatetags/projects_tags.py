from decimal import Decimal

from django import template
from django.db.models import Count, Sum

from ..models import LibraryStatus, Project, ProjectBeneficiary, ProjectKind, ProjectStatus

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


@register.simple_tag
def project_summary(user):
    """总览 block: the library in the user's scope by status and by kind, with planned amounts (two queries)."""
    projects = Project.objects.visible_to(user).filter(library_status=LibraryStatus.IN)
    by_status = {row["status"]: row for row in projects.values("status").annotate(n=Count("id"),
                                                                                  amount=Sum("planned_amount"))}
    by_kind = {row["kind"]: row for row in projects.values("kind").annotate(n=Count("id"),
                                                                            amount=Sum("planned_amount"))}
    statuses = [{"label": str(label), "count": by_status.get(value, {}).get("n", 0)}
                for value, label in ProjectStatus.choices]
    kinds = [{"name": str(label), "value": by_kind[value]["n"], "amount": float(by_kind[value]["amount"] or 0)}
             for value, label in ProjectKind.choices if value in by_kind]
    total = sum(s["count"] for s in statuses)
    amount = sum((row["amount"] or 0) for row in by_status.values())
    return {"statuses": statuses, "kinds": kinds, "total": total, "amount": amount,
            "chart": {"statuses": [s for s in statuses if s["count"]], "kinds": kinds} if total else None}
