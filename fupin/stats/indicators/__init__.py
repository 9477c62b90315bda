"""The indicator catalogue (指标目录): every figure the dashboards, targets and reports read, each computed by a
family, one grouped query over the rows of a domain app (one module per app here).

A family groups its model's rows by the region code they are kept under (``code``) and one dimension (``dim``,
'' where there is none) and gives one aggregate per indicator; the rebuild (``stats/rebuild.py``) inserts them at
the regions they belong to and sums them up to township, county, city and province by code prefix.
A derived indicator (``ratio``) is not stored: it is the quotient of two stored ones, computed when read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    group: str
    app: str
    dimension: str = ""  # the dimension's name (户状态 …); '' for none
    labels: Callable[[], dict] | None = None  # dimension value → label, from choices
    dictionary: str = ""  # or the code table (dictionaries) that labels the dimension
    ratio: tuple[str, str] | None = None  # (numerator, denominator): a percentage of two stored indicators

    def label(self, dim: str, labels: dict | None = None) -> str:
        if not dim:
            return "未填" if self.dimension else self.name
        return str((labels or {}).get(dim, dim))


@dataclass(frozen=True)
class Family:
    """One grouped query: ``rows(year)`` is a queryset of a scoped model, ``code`` and ``dim`` the expressions
    grouped by, ``values`` indicator code → aggregate. ``yearly`` families read rows of that year (funds, alerts
    …); the others are the register as it stands, kept as the figures of the year they were rebuilt in."""

    rows: Callable
    code: object
    dim: object
    values: dict
    yearly: bool = False


@dataclass
class Catalogue:
    indicators: dict[str, Indicator] = field(default_factory=dict)
    families: list[Family] = field(default_factory=list)

    def add(self, *indicators: Indicator) -> None:
        for indicator in indicators:
            self.indicators[indicator.code] = indicator

    def family(self, family: Family) -> None:
        self.families.append(family)

    def __getitem__(self, code: str) -> Indicator:
        return self.indicators[code]

    def __contains__(self, code: str) -> bool:
        return code in self.indicators

    def choices(self) -> list[tuple[str, str]]:
        return [(i.code, f"{i.group}：{i.name}（{i.unit}）") for i in self.indicators.values()]


CATALOGUE = Catalogue()


def load() -> Catalogue:
    """Import the domain modules once (StatsConfig.ready): each adds its indicators and families."""
    from . import assets, assistance, comparison, credit, funds, monitoring, projects, registry, sectors  # noqa: F401

    return CATALOGUE
