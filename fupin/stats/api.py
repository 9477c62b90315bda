"""统计 API: the indicator catalogue, figures by region/year/indicator, the dashboards' data, targets with their
progress, the standard reports filled, and a rebuild. Every figure is read from the aggregate table for a region
in the account's scope (channel 接口 for writes)."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from fupin.core.apitools import WRITE_ERRORS, ErrorOut, InputSchema, Page, PageParams, paginate
from fupin.core.channels import Channel

from . import dashboards, reports, services
from .indicators import CATALOGUE
from .models import ReportTemplate

router = Router()
READ = {frozenset({401, 403, 404}): ErrorOut}


class StatsIndicatorOut(Schema):
    code: str
    name: str
    unit: str
    group: str = Field(description="指标分组")
    app: str = Field(description="来源模块")
    dimension: str = Field(description="分组维度名称，无分组为空")
    derived: bool = Field(description="是否为两项指标之比（百分比，不单独存储）")


class StatsRegionParams(Schema):
    region: str = Field("", max_length=12, description="区划代码，省略为本账号所在区划")
    year: int | None = Field(None, ge=2000, le=2100, description="年度，省略为本年")


class StatsFigureParams(StatsRegionParams):
    indicator: str = Field("", max_length=40, description="指标代码，省略为全部")


class StatsFigureOut(Schema):
    region: str = Field(description="区划代码")
    region_name: str
    year: int
    indicator: str
    dimension: str = Field(description="分组取值，合计为空")
    value: Decimal | None


class StatsSeriesOut(Schema):
    name: str
    data: list[float | None]


class StatsChartOut(Schema):
    key: str
    title: str
    type: str = Field(description="bar 或 pie")
    unit: str
    categories: list[str]
    series: list[StatsSeriesOut]
    empty: bool = Field(description="没有数据（页面显示“暂无数据”）")


class StatsCardOut(Schema):
    code: str
    name: str
    unit: str
    value: float | None


class StatsBoardOut(Schema):
    key: str
    title: str
    region: str
    region_name: str
    year: int
    updated: str = Field(description="数据更新时间（本地时间），尚未汇总为空")
    cards: list[StatsCardOut]
    charts: list[StatsChartOut]


class StatsTargetOut(Schema):
    id: int
    region: str
    region_name: str
    year: int
    indicator: str
    indicator_name: str
    unit: str
    value: Decimal
    actual: Decimal = Field(description="完成值（汇总数据）")
    share: Decimal | None = Field(description="完成率（%）")
    note: str


class StatsTargetIn(InputSchema):
    region: str = Field(max_length=12, description="区划代码")
    year: int = Field(ge=2000, le=2100)
    indicator: str = Field(max_length=40, description="指标代码，见 /stats/indicators")
    value: Decimal = Field(ge=0, max_digits=18, decimal_places=2)
    note: str = Field("", max_length=200)


class StatsTargetFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    indicator: str = Field("", max_length=40)


class StatsReportOut(Schema):
    code: str
    title: str
    period: str = Field(description="monthly 月报 / yearly 年报")


class StatsReportParams(StatsRegionParams):
    month: int | None = Field(None, ge=1, le=12, description="月份（月报）")


class StatsReportRowOut(Schema):
    region: str
    values: list[float | None]


class StatsFilledOut(Schema):
    code: str
    title: str
    period: str = Field(description="统计期，如 2026年11月")
    unit: str
    headers: list[str] = Field(description="各列表头（含上级表头，如 “当年脱贫·人数”）")
    rows: list[StatsReportRowOut]
    total: list[float | None]


class StatsRebuildOut(Schema):
    job: int = Field(description="后台任务编号（/api/jobs/{id} 查询进度）")


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@router.get("/indicators", response={200: list[StatsIndicatorOut], **READ}, summary="指标目录")
def indicator_list(request):
    return [StatsIndicatorOut(code=i.code, name=i.name, unit=i.unit, group=i.group, app=i.app, dimension=i.dimension,
                              derived=bool(i.ratio)) for i in CATALOGUE.indicators.values()]


@router.get("/figures", response={200: list[StatsFigureOut], **READ}, summary="汇总数据（区划及其下一级）")
def figure_list(request, params: Query[StatsFigureParams]):
    region = services.region_for(request.auth, params.region)
    year = params.year or services.current_year()
    if params.indicator and params.indicator not in CATALOGUE:
        return []
    codes = [params.indicator] if params.indicator else list(CATALOGUE.indicators)
    places = [region, *dashboards.children(region)]
    figures = services.read([p.code for p in places], year, codes)
    out = []
    for place in places:
        for code in codes:
            spec = CATALOGUE[code]
            if spec.ratio:
                out.append(StatsFigureOut(region=place.code, region_name=place.name, year=year, indicator=code,
                                          dimension="", value=figures.value(place.code, code)))
                continue
            for dim, value in sorted(figures.dims(place.code, code).items()):
                out.append(StatsFigureOut(region=place.code, region_name=place.name, year=year, indicator=code,
                                          dimension=dim, value=value))
    return out


@router.get("/boards/{key}", response={200: StatsBoardOut, **READ}, summary="驾驶舱数据",
            description=f"key：{'、'.join(f'{k}（{b.title}）' for k, b in dashboards.BOARDS.items())}")
def board_get(request, key: str, params: Query[StatsRegionParams]):
    board = dashboards.BOARDS.get(key)
    if board is None:
        raise Http404("没有这个驾驶舱")
    region = services.region_for(request.auth, params.region)
    view = dashboards.view(board, region, params.year or services.current_year())
    updated = services.updated_at(region, view.year)
    return StatsBoardOut(key=key, title=board.title, region=region.code, region_name=region.name, year=view.year,
                         updated=_local(updated.finished if updated else None),
                         cards=[view.card(c) for c in board.cards], charts=view.charts())


def _target_out(progress) -> StatsTargetOut:
    target, spec = progress.target, CATALOGUE.indicators.get(progress.target.indicator)
    return StatsTargetOut(id=target.pk, region=target.region_id, region_name=target.region.name, year=target.year,
                          indicator=target.indicator, indicator_name=spec.name if spec else target.indicator,
                          unit=spec.unit if spec else "", value=target.value, actual=progress.actual,
                          share=progress.share, note=target.note)


@router.get("/targets", response={200: Page[StatsTargetOut], **READ}, summary="目标任务及完成情况")
def target_list(request, paging: Query[PageParams], filters: Query[StatsTargetFilter]):
    queryset = services.visible_targets(request.auth).order_by("-year", "region__code", "indicator")
    if filters.year:
        queryset = queryset.filter(year=filters.year)
    if filters.indicator:
        queryset = queryset.filter(indicator=filters.indicator)
    page = paginate(queryset, paging)
    page["items"] = [_target_out(p) for p in services.progress(page["items"])]
    return page


@router.post("/targets", response={201: StatsTargetOut, **WRITE_ERRORS}, summary="设置目标任务（同区划年度指标覆盖）")
def target_save(request, payload: StatsTargetIn):
    region = services.region_for(request.auth, payload.region)
    target = services.save_target(request.auth, region=region, year=payload.year, indicator=payload.indicator,
                                  value=payload.value, note=payload.note, channel=Channel.API)
    return Status(201, _target_out(services.progress([target])[0]))


@router.delete("/targets/{target_id}", response={204: None, **WRITE_ERRORS}, summary="删除目标任务")
def target_delete(request, target_id: int):
    target = get_object_or_404(services.visible_targets(request.auth), pk=target_id)
    services.delete_target(request.auth, target, channel=Channel.API)
    return Status(204, None)


@router.get("/reports", response={200: list[StatsReportOut], **READ}, summary="报表模板")
def report_list(request):
    return [StatsReportOut(code=t.code, title=t.title, period=t.period) for t in ReportTemplate.objects.all()]


@router.get("/reports/{code}", response={200: StatsFilledOut, **READ}, summary="报表数据")
def report_get(request, code: str, params: Query[StatsReportParams]):
    template = get_object_or_404(ReportTemplate.objects.prefetch_related("columns"), code=code)
    region = services.region_for(request.auth, params.region)
    filled = reports.fill(template, region, params.year or services.current_year(), params.month)
    headers = [f"{c.group}·{c.header}" if c.group else c.header for c in filled.columns]
    return StatsFilledOut(code=template.code, title=template.title, period=filled.period_text, unit=template.unit,
                          headers=headers, rows=[StatsReportRowOut(region=n, values=v) for n, v in filled.rows],
                          total=filled.total)


@router.post("/rebuilds", response={202: StatsRebuildOut, **WRITE_ERRORS}, summary="重新汇总统计数据（县级）")
def rebuild_start(request, year: int | None = Query(None, ge=2000, le=2100)):
    job = services.request_rebuild(request.auth, year or services.current_year())
    return Status(202, StatsRebuildOut(job=job.pk))
