"""What the household file shows of the manual: the same data the PDF is rendered from (assistance.manual)."""

from django import template

from .. import manual

register = template.Library()


@register.simple_tag
def manual_for(household, user) -> dict:
    data = manual.household_data(household, user)
    data["may_full"] = manual.may_print_full(user, household.village_id)
    return data
