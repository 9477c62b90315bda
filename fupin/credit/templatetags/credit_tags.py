"""The 小额信贷 pieces other pages show: the household file's loans, the manual's rows, the overview's figures."""

from decimal import Decimal

from django import template
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .. import services
from ..access import credit_work
from ..choices import OPEN_STATUSES
from ..models import Loan

register = template.Library()


@register.filter
def days_before(day, today):
    """Whole days from ``day`` to ``today``."""
    return (today - day).days if day and today else ""


@register.simple_tag
def household_loans(household, user):
    """The household's loans the user may see (with their arrears today), newest first; None for an account the
    app refuses."""
    if not credit_work.allows(user):
        return None
    queryset = Loan.objects.visible_to(user).filter(household=household).select_related("borrower")
    return list(services.with_arrears(queryset).order_by("-start_date", "-id")[:50])


@register.filter
def may_lend(household, user) -> bool:
    return services.is_eligible(household) and services.can_change(user, household.village_id)


@register.simple_tag
def credit_overview(user):
    """Loans outstanding, overdue count and amount, and the outstanding per bank, in the account's scope: two
    aggregate queries. None for an account the app refuses."""
    if not credit_work.allows(user):
        return None
    loans = Loan.objects.visible_to(user).filter(status__in=OPEN_STATUSES)
    late = services.overdue(loans)
    totals = loans.aggregate(n=Count("id"), total=Sum("outstanding"),
                             overdue=Count("id", filter=Q(pk__in=late.values("pk"))),
                             late_total=Sum("outstanding", filter=Q(pk__in=late.values("pk"))))
    by_bank = list(loans.order_by().values("bank").annotate(n=Count("id"), total=Sum("outstanding"))
                   .order_by("-total")[:10])
    return {
        "count": totals["n"], "outstanding": totals["total"] or Decimal(0), "overdue": totals["overdue"],
        "overdue_outstanding": totals["late_total"] or Decimal(0), "today": timezone.localdate(),
        "by_bank": {"names": [b["bank"] for b in by_bank], "amounts": [float(b["total"]) for b in by_bank],
                    "counts": [b["n"] for b in by_bank]},
    }
