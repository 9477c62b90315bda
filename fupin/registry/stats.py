"""Registry overview figures for the dashboard, computed with grouped queries over the user's scope."""

from django.db.models import Count, Sum
from django.db.models.functions import Substr

from fupin.dictionaries.services import labels
from fupin.regions.models import PREFIX_LENGTH, Level, Region

from .models import Household


def overview(user) -> dict:
    households = Household.objects.visible_to(user)
    status_labels = labels("household_status")
    cause_labels = labels("poverty_cause")
    by_status = {
        status_labels.get(row["status"], row["status"]): row["n"]
        for row in households.values("status").annotate(n=Count("id")).order_by("status")
    }
    by_cause = [
        {"name": cause_labels.get(row["main_cause"], row["main_cause"] or "未填"), "value": row["n"]}
        for row in households.values("main_cause").annotate(n=Count("id")).order_by("-n")
    ]
    exits = list(
        households.exclude(exit_year=None).values("exit_year").annotate(n=Count("id")).order_by("exit_year")
    )
    totals = households.aggregate(households=Count("id"), people=Sum("size"))
    return {
        "households": totals["households"] or 0,
        "people": totals["people"] or 0,
        "by_status": by_status,
        "by_cause": by_cause,
        "exits": {"years": [r["exit_year"] for r in exits], "counts": [r["n"] for r in exits]},
        "by_region": _by_child_region(user, households),
    }


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


def _by_child_region(user, households) -> dict:
    """Households per region one level below the user's own (townships for a county, villages for a township)."""
    region = user.region if user.region_id else None
    level = region.level + 1 if region and region.level < Level.VILLAGE else None
    if level is None:
        return {"names": [], "counts": []}
    length = PREFIX_LENGTH[level]
    rows = (
        households.annotate(prefix=Substr("village_id", 1, length))
        .values("prefix")
        .annotate(n=Count("id"))
        .order_by("prefix")
    )
    counts = {row["prefix"]: row["n"] for row in rows}
    children = Region.objects.filter(parent=region).order_by("code")
    return {
        "names": [c.name for c in children],
        "counts": [counts.get(c.code[:length], 0) for c in children],
    }
