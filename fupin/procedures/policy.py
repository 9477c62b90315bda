"""The policy ages the preconditions read, per year and region: 义务教育 age, 劳动年龄 (also the contribution age of
城乡居民基本养老保险), resolved for the household's county.

The figures are rows of the one table of policy parameters, ``monitoring.Parameter`` (installed by monitoring's
migration 0008 from frozen JSON, edited on the parameter page; the most specific region and the exact year win).
procedures sits below monitoring (docs/architecture.md, "Layers") and cannot read that table, so monitoring installs
the resolver here when Django starts (``provide``, called from its AppConfig.ready); a missing resolver is a
configuration error at the first use, never a silent default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

# Parameter codes (defaults and names in monitoring's 0008_policy_ages.json).
SCHOOL_AGE_MIN = "school_age_min"
SCHOOL_AGE_MAX = "school_age_max"
LABOUR_AGE_MIN = "labour_age_min"
LABOUR_AGE_MAX = "labour_age_max"
AGE_CODES = (SCHOOL_AGE_MIN, SCHOOL_AGE_MAX, LABOUR_AGE_MIN, LABOUR_AGE_MAX)

_resolver: list[Callable] = []


def provide(resolver: Callable) -> None:
    """Install ``resolver(codes, year, region_code) -> {code: value}`` (every code answered, defaults included)."""
    _resolver[:] = [resolver]


def values(codes, year: int, region_code: str) -> dict:
    if not _resolver:
        raise ImproperlyConfigured("No app provides procedures.policy (the monitoring app installs it)")
    return _resolver[0](list(codes), year, region_code)


@dataclass(frozen=True)
class Ages:
    """义务教育 age: ``school_min`` to ``school_max`` full years on 1 September of the year (both included, 6–15 by
    default, docs/domain-facts.md §3.7). 劳动年龄: from ``labour_min`` full years up to, not including,
    ``labour_max`` at the end of the year (16 to under 60 by default: at 60 the 城乡居民基本养老保险 is drawn, no
    longer paid in, docs/domain-facts.md §3.3 and seed 001)."""

    school_min: int
    school_max: int
    labour_min: int
    labour_max: int

    def school_birth_range(self, year: int) -> tuple[dt.date, dt.date]:
        """Born after the first date and on or before the second."""
        return dt.date(year - self.school_max - 1, 9, 1), dt.date(year - self.school_min, 9, 1)

    def labour_birth_range(self, year: int) -> tuple[dt.date, dt.date]:
        """Born after the first date and on or before the second."""
        return dt.date(year - self.labour_max, 12, 31), dt.date(year - self.labour_min, 12, 31)

    @property
    def labour_label(self) -> str:
        return f"{self.labour_min}至{self.labour_max - 1}周岁"


def ages(year: int, region_code: str) -> Ages:
    found = values(AGE_CODES, year, region_code)
    return Ages(*(int(found[code]) for code in AGE_CODES))
