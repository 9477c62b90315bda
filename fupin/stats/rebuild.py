"""Rebuilding the figures: every family's grouped query into a staging table, then summed up the region tree by
code prefix in SQL, replacing the figures of the scope in one transaction (docs/architecture.md, "统计").

The scope is a county (its 6-digit prefix) or everything (''). Levels from the county down are sums of the staged
rows under each prefix; a city's and the province's figures are the sums of their counties' rows, so rebuilding
one county leaves its neighbours' figures as they were and still adds up.
"""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.db.models import Value
from django.utils import timezone

from fupin.regions.models import PREFIX_LENGTH, Level

from .indicators import CATALOGUE
from .models import Figure, Rebuild

STAGING = "stats_staging"
UPPER = (Level.CITY, Level.PROVINCE)
LOWER = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


def families(year: int):
    """The families to compute for ``year``: all of them for the current year; for a past one only those kept by
    year (the register's snapshot of a past year stays as it was last rebuilt in that year)."""
    current = year == timezone.localdate().year
    return [f for f in CATALOGUE.families if f.yearly or current]


def _prefixed(column: str, length: int) -> str:
    """SQL for the 12-digit code of the region ``length`` digits of ``column`` name."""
    return f"substr({column}, 1, {length}) || '{'0' * (12 - length)}'" if length < 12 else column


def rebuild(prefix: str = "", year: int | None = None, *, trigger: str = "") -> Rebuild:
    """Replace the figures of the county ``prefix`` ('' for all) and ``year``; returns the rebuild's record."""
    year = year or timezone.localdate().year
    if prefix and len(prefix) != PREFIX_LENGTH[Level.COUNTY]:
        raise ValueError("统计重算的范围是县（6位区划代码前缀）或全部")
    started = time.monotonic()
    chosen = families(year)
    codes = [code for family in chosen for code in family.values]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGING} (region_code varchar(12), indicator varchar(40), "
                       f"dimension varchar(40), value numeric(20, 2))")
        for family in chosen:
            _stage(cursor, family, prefix, year)
        scope = Figure.objects.filter(year=year, indicator__in=codes)
        scope.filter(level__in=LOWER).in_region(prefix).delete()
        for level in LOWER:
            length = PREFIX_LENGTH[level]
            cursor.execute(
                f"INSERT INTO stats_figure (region_code, level, year, indicator, dimension, value) "
                f"SELECT {_prefixed('s.region_code', length)}, %s, %s, s.indicator, s.dimension, SUM(s.value) "
                f"FROM {STAGING} s JOIN regions_region r ON r.code = s.region_code "
                f"WHERE r.level >= %s GROUP BY 1, s.indicator, s.dimension", [level, year, level])
        for level in UPPER:
            length = PREFIX_LENGTH[level]
            upper = prefix[:length]
            scope.filter(level=level).in_region(upper).delete()
            cursor.execute(
                f"INSERT INTO stats_figure (region_code, level, year, indicator, dimension, value) "
                f"SELECT {_prefixed('f.region_code', length)}, %s, %s, f.indicator, f.dimension, SUM(f.value) "
                f"FROM stats_figure f WHERE f.level = %s AND f.year = %s AND f.region_code BETWEEN %s AND %s "
                f"AND f.indicator IN ({', '.join(['%s'] * len(codes))}) GROUP BY 1, f.indicator, f.dimension",
                [level, year, Level.COUNTY, year, upper.ljust(12, "0"), upper.ljust(12, "9"), *codes])
        cursor.execute(f"DROP TABLE {STAGING}")
        rows = Figure.objects.filter(year=year, indicator__in=codes).in_region(prefix).count()
        return Rebuild.objects.create(prefix=prefix, year=year, seconds=round(time.monotonic() - started, 2),
                                      rows=rows, trigger=trigger[:100])


def _stage(cursor, family, prefix: str, year: int) -> None:
    """One grouped query of a family, staged once per indicator it gives (the query runs once, as a CTE)."""
    rows = family.rows(year).in_region(prefix).order_by()
    grouped = rows.values(code=family.code, dim=family.dim if family.dim is not None else Value("")).annotate(
        **{f"v{i}": aggregate for i, aggregate in enumerate(family.values.values())})
    sql, params = grouped.query.sql_with_params()
    selects = " UNION ALL ".join(
        f"SELECT q.code, %s, COALESCE(CAST(q.dim AS varchar(40)), ''), q.v{i} FROM q WHERE q.v{i} <> 0"
        for i in range(len(family.values)))
    cursor.execute(f"INSERT INTO {STAGING} (region_code, indicator, dimension, value) "
                   f"WITH q AS ({sql}) {selects}", [*params, *family.values])
