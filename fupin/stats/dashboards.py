"""The dashboards (驾驶舱): each a few headline figures and charts over the figures of one region and its children,
read in a fixed number of queries (the region's children, the figures, the rebuild record, the code tables).

A chart is ``by="children"`` (one bar per township or village, click to go down) or ``by="dims"`` (the region's
figure split by the indicator's dimension: status, source, kind …).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from fupin.regions.models import Level, Region

from . import services
from .indicators import CATALOGUE


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    series: tuple[str, ...]  # indicator codes (several: grouped bars per child)
    by: str = "children"  # or "dims"
    kind: str = "bar"  # or "pie"


@dataclass(frozen=True)
class Board:
    key: str
    title: str
    cards: tuple[str, ...]
    charts: tuple[Chart, ...]
    table: tuple[str, ...] = ()  # the indicators of the children's table (default: the cards)

    @property
    def indicators(self) -> set[str]:
        return {*self.cards, *self.table, *(code for chart in self.charts for code in chart.series)}

    def chart(self, key: str) -> Chart | None:
        return next((c for c in self.charts if c.key == key), None)


BOARDS = {board.key: board for board in (
    Board("overview", "总览", ("registry.households", "registry.people", "monitoring.monitored", "funds.progress"), (
        Chart("households", "各下级区划建档户数", ("registry.households",)),
        Chart("status", "户状态", ("registry.households",), by="dims", kind="pie"),
        Chart("cause", "主要致贫原因", ("registry.cause",), by="dims", kind="pie"),
        Chart("projects", "项目按状态", ("projects.count",), by="dims"),
        Chart("fund_source", "资金来源", ("funds.amount",), by="dims", kind="pie"),
        Chart("funds", "各下级区划分配与拨付", ("funds.allocated", "funds.disbursed")),
        Chart("assets", "资产原值按类别", ("assets.value",), by="dims", kind="pie"),
        Chart("credit", "各银行贷款余额", ("credit.outstanding",), by="dims"),
    ), table=("registry.households", "registry.people", "monitoring.monitored", "funds.allocated",
              "funds.disbursed", "funds.progress", "projects.count", "credit.outstanding")),
    Board("registry", "建档立卡", ("registry.households", "registry.people", "registry.exit_households",
                                "registry.exit_people"), (
        Chart("households", "各下级区划建档户数", ("registry.households",)),
        Chart("people", "各下级区划建档人数", ("registry.people",)),
        Chart("status", "户状态", ("registry.households",), by="dims", kind="pie"),
        Chart("category", "贫困户属性", ("registry.category",), by="dims", kind="pie"),
        Chart("cause", "主要致贫原因", ("registry.cause",), by="dims"),
        Chart("exit", "各下级区划当年脱贫人数", ("registry.exit_people",)),
    )),
    Board("monitoring", "防返贫监测", ("monitoring.monitored", "monitoring.eliminated", "monitoring.included",
                                  "monitoring.alerts"), (
        Chart("monitored", "各下级区划监测对象", ("monitoring.monitored", "monitoring.eliminated")),
        Chart("kind", "监测对象类别", ("monitoring.monitored",), by="dims", kind="pie"),
        Chart("alerts", "预警按状态", ("monitoring.alerts",), by="dims"),
        Chart("alerts_by_region", "各下级区划当年预警", ("monitoring.alerts",)),
    )),
    Board("assistance", "帮扶", ("assistance.pairings", "assistance.visits", "assistance.visited",
                               "assistance.measures"), (
        Chart("pairings", "各下级区划结对帮扶户数", ("assistance.pairings",)),
        Chart("visits", "各下级区划走访次数", ("assistance.visits",)),
        Chart("measures", "帮扶措施类别", ("assistance.measures",), by="dims", kind="pie"),
    )),
    Board("money", "项目资金资产", ("funds.amount", "funds.allocated", "funds.disbursed", "funds.progress"), (
        Chart("funds", "各下级区划分配与拨付", ("funds.allocated", "funds.disbursed")),
        Chart("fund_source", "资金来源", ("funds.amount",), by="dims", kind="pie"),
        Chart("projects", "项目按状态", ("projects.count",), by="dims"),
        Chart("project_kind", "项目按类别", ("projects.kind",), by="dims", kind="pie"),
        Chart("assets", "资产原值按类别", ("assets.value",), by="dims", kind="pie"),
        Chart("credit", "各下级区划贷款余额与逾期", ("credit.outstanding", "credit.overdue_outstanding")),
    ), table=("funds.amount", "funds.allocated", "funds.disbursed", "funds.progress", "projects.count",
              "projects.amount", "assets.value", "credit.outstanding", "credit.overdue")),
    Board("oversight", "监督预警", ("monitoring.alerts", "comparison.suspects", "sectors.gaps", "credit.overdue"), (
        Chart("suspects", "比对疑点核查状态", ("comparison.suspects",), by="dims", kind="pie"),
        Chart("suspects_by_region", "各下级区划比对疑点", ("comparison.suspects",)),
        Chart("gaps", "各下级区划应享未享", ("sectors.gaps",)),
        Chart("overdue", "各下级区划逾期贷款", ("credit.overdue",)),
    )),
)}


def fmt(value) -> float | None:
    return None if value is None else float(value)


@dataclass
class View:
    """A board's figures for one region and year, ready for the template, the JSON of the charts and Excel."""

    board: Board
    region: Region
    year: int
    children: list[Region]
    figures: services.Figures
    labels: dict

    def card(self, code: str) -> dict:
        spec = CATALOGUE[code]
        return {"code": code, "name": spec.name, "unit": spec.unit,
                "value": fmt(self.figures.value(self.region.code, code))}

    def chart(self, chart: Chart) -> dict:
        specs = [CATALOGUE[code] for code in chart.series]
        if chart.by == "children":
            names = [c.name for c in self.children]
            codes = [c.code for c in self.children]
            series = [{"name": s.name, "data": [fmt(self.figures.value(c, s.code)) for c in codes]} for s in specs]
        else:
            dims = self.figures.dims(self.region.code, chart.series[0])
            ordered = sorted(dims.items(), key=lambda item: -item[1])
            codes = []
            names = [specs[0].label(dim, self.labels.get(specs[0].code)) for dim, _ in ordered]
            series = [{"name": specs[0].name, "data": [fmt(v) for _, v in ordered]}]
        empty = not any(v for s in series for v in s["data"])
        drill = [f"?region={c}&year={self.year}" for c in codes]
        return {"key": chart.key, "title": chart.title, "type": chart.kind, "unit": specs[0].unit,
                "categories": names, "series": series, "drill": drill, "empty": empty,
                "export": reverse("stats:chart_excel", args=[self.board.key, chart.key])
                + f"?region={self.region.code}&year={self.year}"}

    def charts(self) -> list[dict]:
        return [self.chart(c) for c in self.board.charts]

    def table(self) -> dict:
        codes = self.board.table or self.board.cards
        head = [CATALOGUE[c] for c in codes]
        rows = [{"region": child, "values": [fmt(self.figures.value(child.code, c)) for c in codes]} for child in self.children]
        total = [fmt(self.figures.value(self.region.code, c)) for c in codes]
        return {"head": head, "rows": rows, "total": total}


def children(region: Region) -> list[Region]:
    if region.level >= Level.VILLAGE:
        return []
    return list(Region.objects.filter(parent=region, active=True).order_by("code"))


def view(board: Board, region: Region, year: int) -> View:
    children_ = children(region)
    figures = services.read([region.code, *(c.code for c in children_)], year, board.indicators)
    dims = {code for chart in board.charts if chart.by == "dims" for code in chart.series}
    return View(board, region, year, children_, figures, services.dimension_labels(dims))
