"""Policy figures and the 门诊慢性病 list as configured: by year and region, the most specific region winning
(``regions.models.most_specific``), then the latest starting year not after the one asked (a standard raised from
3,000 to 5,000 in 2017 is one row from 2017 beside the all-years row). Installed by migration 0002 from
frozen JSON, edited on the 政策标准 page; code never holds the figures themselves."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q

from fupin.regions.models import applies_to, most_specific

from .choices import Figure
from .models import ChronicDisease, PolicyFigure


def value(code: str, year: int, region_code: str) -> Decimal:
    """The figure for a place and year; a missing one is a configuration error the user is told about."""
    return row(code, year, region_code).value


def row(code: str, year: int, region_code: str) -> PolicyFigure:
    """The row the figure comes from (its region, starting year and source)."""
    rows = [row for row in PolicyFigure.objects.filter(code=code).filter(Q(year__lte=year) | Q(year__isnull=True))
            .select_related("region") if applies_to(row, region_code)]
    narrowest = most_specific(rows)
    if narrowest is None:
        raise ValidationError(f"未配置{year}年的“{Figure(code).label}”，请在“政策标准”中设置")
    same_region = [row for row in rows if row.region_id == narrowest.region_id]
    return max(same_region, key=lambda row: row.year or 0)


def values(codes, year: int, region_code: str) -> dict[str, Decimal]:
    return {code: value(code, year, region_code) for code in codes}


def chronic_diseases(region_code: str):
    """The 门诊慢性病 list of the place: that of the most specific region that has one."""
    rows = [row for row in ChronicDisease.objects.filter(active=True).select_related("region")
            if applies_to(row, region_code)]
    narrowest = most_specific(rows)
    if narrowest is None:
        return []
    return [row for row in rows if row.region_id == narrowest.region_id]
