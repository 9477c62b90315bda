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


def _literal(value) -> str:
    return "CAST(NULL AS DOUBLE)" if value is None else f"CAST({float(value)!r} AS DOUBLE)"


def table_sql(values: dict[str, dict], reference: dt.date) -> str:
    """A DuckDB SELECT of one row per region: ``region_code``, ``schedule_target_pct`` and ``p_<code>`` columns."""
    target = target_code(reference)
    names = ["region_code", TARGET, *(param_column(c) for c in CODES)]
    rows = []
    for code, by_code in sorted(values.items()):
        if not code.isdigit():
            raise ValueError("区划代码只能是数字")
        cells = [f"'{code}'", _literal(by_code.get(target) if target else None),
                 *(_literal(by_code.get(c)) for c in CODES)]
        rows.append(f"({', '.join(cells)})")
    if not rows:
        empty = ", ".join(["CAST(NULL AS VARCHAR) AS region_code"] + [f"CAST(NULL AS DOUBLE) AS {n}" for n in names[1:]])
        return f"SELECT {empty} WHERE FALSE"
    return f"SELECT * FROM (VALUES {', '.join(rows)}) AS t({', '.join(names)})"
