"""Counting suspects: verification progress per township and the confirmed rate per rule."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from fupin.regions.models import Region

from .. import rules as rule_book
from ..models import SuspectStatus


def _counts(queryset, group: str) -> list[dict]:
    today = timezone.localdate()
    return list(
        queryset.values(group).annotate(
            total=Count("id"),
            open=Count("id", filter=Q(status=SuspectStatus.OPEN)),
            confirmed=Count("id", filter=Q(status=SuspectStatus.CONFIRMED)),
            rejected=Count("id", filter=Q(status=SuspectStatus.REJECTED)),
            closed=Count("id", filter=Q(status=SuspectStatus.CLOSED)),
            overdue=Count("id", filter=Q(status=SuspectStatus.OPEN, due_date__lt=today)),
        ).order_by(group)
    )


def _rates(row: dict) -> dict:
    answered = row["confirmed"] + row["rejected"]
    pending = row["total"] - row["closed"]
    row["answered"] = answered
    row["verified_rate"] = round(answered * 100 / pending, 1) if pending else None
    row["confirmed_rate"] = round(row["confirmed"] * 100 / answered, 1) if answered else None
    return row


def progress_by_township(queryset) -> list[dict]:
    """Verification progress per township (乡镇) of a scoped suspect queryset."""
    rows = _counts(queryset.annotate(township=Substr("village_code", 1, 9)), "township")
    names = dict(Region.objects.filter(code__in=[r["township"] + "000" for r in rows]).values_list("code", "name"))
    for row in rows:
        row["code"] = row["township"] + "000"
        row["name"] = names.get(row["code"], row["code"])
        _rates(row)
    return rows


def rates_by_rule(queryset) -> list[dict]:
    """Counts and confirmed rate (属实率 = 属实 ÷ 已核查) per rule."""
    rows = _counts(queryset, "rule")
    names = rule_book.names()
    for row in rows:
        row["name"] = names.get(row["rule"], row["rule"])
        _rates(row)
    return rows
