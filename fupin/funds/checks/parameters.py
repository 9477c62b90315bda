"""The thresholds the rules read: ``FundParameter`` rows resolved per region and year ("most specific wins").

A rule writes ``:idle_days``; the facts table carries ``p_idle_days`` per row, resolved for the row's region (the
allocation's, else the payment's village) and the check's year. The spending-progress target of the facts
(``schedule_target_pct``) is the target of the last progress milestone (end of March, June, September, November,
December) passed on the reference date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

import polars as pl
from django.db.models import Q

from fupin.regions.models import applies_to, specificity

from ..models import FundParameter, ParameterCode
from ..services import TARGET_MONTHS
from .facts import param_column

CODES = tuple(ParameterCode.values)
TARGET = "schedule_target_pct"


def reference_date(year: int, today: dt.date) -> dt.date:
    """A past year is checked as of its last day; the current year as of today."""
    return min(today, dt.date(year, 12, 31))


def target_code(reference: dt.date) -> str | None:
    """The progress target in force on ``reference``: the last milestone whose month has ended (None before April;
    unlike ``services.schedule_target`` a month counts as ended on its last day, so a past year is held to its
    December target)."""
    passed = [month for month in TARGET_MONTHS
              if dt.date(reference.year, month, calendar.monthrange(reference.year, month)[1]) <= reference]
    return TARGET_MONTHS[max(passed)] if passed else None


def resolve(year: int, region_codes) -> dict[str, dict[str, Decimal | None]]:
    """Each region code's value of every parameter code for the year (None where nothing is configured)."""
    rows = list(FundParameter.objects.filter(Q(year=year) | Q(year__isnull=True)).select_related("region"))
    result = {}
    for code in region_codes:
        values = {}
        for parameter in CODES:
            applying = [r for r in rows if r.code == parameter and applies_to(r, code)]
            best = max(applying, key=lambda r: (specificity(r), r.year is not None), default=None)
            values[parameter] = best.value if best else None
        result[code] = values
    return result


def table(values: dict[str, dict], reference: dt.date) -> pl.DataFrame:
    """One row per region: ``region_code``, ``schedule_target_pct`` and a ``p_<code>`` column per parameter code."""
    target = target_code(reference)
    regions = sorted(values)
    columns = {"region_code": pl.Series(regions, dtype=pl.String),
               TARGET: pl.Series([_float(values[r].get(target)) if target else None for r in regions],
                                 dtype=pl.Float64)}
    for code in CODES:
        columns[param_column(code)] = pl.Series([_float(values[r].get(code)) for r in regions], dtype=pl.Float64)
    return pl.DataFrame(columns)


def _float(value) -> float | None:
    return None if value is None else float(value)
