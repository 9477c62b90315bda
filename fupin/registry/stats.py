"""Registry figures of the region tree (户数 per region), in grouped queries."""

from django.db.models import Count
from django.db.models.functions import Substr

from .models import Household


def households_under(prefixes: list[str]) -> dict[str, int]:
    """Households under each region prefix, in one grouped query per prefix length (the region tree's 户数)."""
    counts = {}
    by_length = {}
    for prefix in prefixes:
        by_length.setdefault(len(prefix), []).append(prefix)
    for length, group in by_length.items():
        rows = (
            Household.objects.annotate(prefix=Substr("village_id", 1, length))
            .filter(prefix__in=group)
            .values("prefix")
            .annotate(n=Count("id"))
        )
        counts.update({row["prefix"]: row["n"] for row in rows})
    return counts

