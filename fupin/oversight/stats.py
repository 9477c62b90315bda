"""整改统计: problems per region one level below the account's (townships for the county) and per category — total,
rectified (已销号), in progress, overdue and the rectification rate — in one grouped query over the user's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from fupin.regions.models import PREFIX_LENGTH, Level, Region

from .models import Category, Status


@dataclass
class Figures:
    total: int = 0
    closed: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def rate(self) -> float | None:
        """整改率 (%) = 已销号 ÷ 问题总数."""
        return round(self.closed * 100 / self.total, 1) if self.total else None

    def add(self, other: Figures) -> None:
        self.total += other.total
        self.closed += other.closed
        self.open += other.open
        self.overdue += other.overdue


@dataclass
class Line:
    code: str
    name: str
    by_category: dict[str, Figures]
    total: Figures

    @property
    def cells(self) -> list[Figures]:
        """The total, then each category in order: the columns of the page and of the exported table."""
        return [self.total, *(self.by_category[c] for c in Category.values)]


def group_level(user) -> int:
    """Rows are the regions one level below the account's (the county's townships), villages at the most."""
    region = getattr(user, "region", None)
    if region is None:
        return Level.TOWNSHIP
    return min(max(region.level + 1, Level.TOWNSHIP), Level.VILLAGE)


def by_region_and_category(queryset, user) -> tuple[list[Line], Line, int]:
    """(a line per region, the total line, the grouping level) over an already scoped, filtered queryset."""
    level = group_level(user)
    width = PREFIX_LENGTH[level]
    today = timezone.localdate()
    open_q = ~Q(status=Status.CLOSED)
    rows = (queryset.annotate(group=Substr("region_id", 1, width)).values("group", "category")
            .annotate(total=Count("id"), closed=Count("id", filter=Q(status=Status.CLOSED)),
                      open=Count("id", filter=open_q), overdue=Count("id", filter=open_q & Q(deadline__lt=today)))
            .order_by("group", "category"))
    groups: dict[str, dict[str, Figures]] = {}
    for row in rows:
        groups.setdefault(row["group"], {})[row["category"]] = Figures(row["total"], row["closed"], row["open"],
                                                                        row["overdue"])
    names = dict(Region.objects.filter(code__in=[g.ljust(12, "0") for g in groups]).values_list("code", "name"))
    lines = []
    grand = Line("", "合计", {c: Figures() for c in Category.values}, Figures())
    for group, cells in groups.items():
        code = group.ljust(12, "0")
        line = Line(code, names.get(code, code),
                    {c: cells.get(c, Figures()) for c in Category.values}, Figures())
        for category, figures in line.by_category.items():
            line.total.add(figures)
            grand.by_category[category].add(figures)
        grand.total.add(line.total)
        lines.append(line)
    return lines, grand, level
