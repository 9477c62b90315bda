"""The 小额信贷 pieces other pages show: the household file's loans, the manual's rows."""


from django import template

from .. import services
from ..access import credit_work
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
