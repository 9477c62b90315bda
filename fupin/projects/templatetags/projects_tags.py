from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def wan(amount):
    """Yuan as 万元 with two decimals (how project amounts are read in the county's tables)."""
    if amount in (None, ""):
        return ""
    return f"{Decimal(amount) / 10000:,.2f}"
