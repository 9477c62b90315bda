"""统计与驾驶舱 pages: the topic dashboards with drill-down, each chart's Excel, the targets, the standard reports,
and the rebuild record. Every figure is read from the aggregate table, for a region in the account's scope."""

import io
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from fupin.audit.services import record_export
from fupin.core import excel
from fupin.core.channels import Channel
from fupin.core.exports import XLSX
from fupin.core.forms import add_errors

from . import dashboards, reports, services
from .forms import ReportForm, TargetForm, TargetImportForm
from .indicators import CATALOGUE
from .models import Rebuild, ReportTemplate

PAGE = Channel.PAGE
PAGE_SIZE = 50


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or services.current_year())
    except ValueError:
        year = services.current_year()
    return min(max(year, 2000), 2100)


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def board_view(request, key):
    board = dashboards.BOARDS.get(key)
    if board is None:
        raise Http404("没有这个驾驶舱")
    region = services.region_for(request.user, request.GET.get("region"))
    return dashboards.view(board, region, _year(request))


def context(request, view) -> dict:
    """What a dashboard's template shows (the topic pages and the 总览 section)."""
    return {
        "board": view.board, "view": view, "cards": [view.card(c) for c in view.board.cards],
        "charts": view.charts(), "table": view.table(), "year": view.year, "years": services.years(),
        "crumbs": services.breadcrumbs(request.user, view.region),
        "updated": services.updated_at(view.region, view.year),
        "boards": dashboards.BOARDS.values(), "may_rebuild": services.may_rebuild(request.user),
    }


def board(request, key="overview"):
    view = board_view(request, key)
    return render(request, "stats/board.html", context(request, view))


def chart_excel(request, key, chart):
    view = board_view(request, key)
    spec = view.board.chart(chart)
    if spec is None:
        raise Http404("没有这个图表")
    data = view.chart(spec)
    columns = [excel.Col("区划" if spec.by == "children" else CATALOGUE[spec.series[0]].dimension or "项目", width=20)]
    columns += [excel.Col(f"{s['name']}（{data['unit']}）", excel.NUMBER, 18) for s in data["series"]]
    rows = [[name, *(s["data"][i] for s in data["series"])] for i, name in enumerate(data["categories"])]
    buffer = io.BytesIO()
    excel.write_table(buffer, data["title"], columns, rows)
    title = f"{view.region.name}{view.year}年{data['title']}"
    record_export(request.user, title=title, model_name="figure", count=len(rows), full=False, masked=False,
                  channel=PAGE, filters=f"区划 {view.region.name}")
    return _xlsx(buffer.getvalue(), f"{title}.xlsx")


@require_POST
def rebuild(request):
    year = _year(request)
    try:
        job = services.request_rebuild(request.user, year)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("stats:rebuild_list")
    messages.success(request, f"已提交统计数据重算（{year}年），完成后各驾驶舱自动更新")
    return redirect("jobs:detail", pk=job.pk)


def rebuild_list(request):
    prefix = services.rebuild_scope(request.user.region_id or "")
    queryset = Rebuild.objects.order_by("-finished")
    if request.user.region_id:
        queryset = queryset.filter(prefix__in=["", prefix] if prefix else [""])
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "stats/rebuild_list.html", {
        "page": page, "may_rebuild": services.may_rebuild(request.user), "year": services.current_year()})


# --- targets ----------------------------------------------------------------------------------------------------


def _targets(request):
    queryset = services.visible_targets(request.user)
    year = request.GET.get("year", "")
    if year.isdigit():
        queryset = queryset.filter(year=int(year))
    if request.GET.get("indicator"):
        queryset = queryset.filter(indicator=request.GET["indicator"])
    if request.GET.get("region"):
        region = services.region_for(request.user, request.GET["region"])
        queryset = queryset.in_region(region.prefix)
    return queryset.order_by("-year", "region__code", "indicator")


TARGET_COLUMNS = [excel.Col("区划代码"), excel.Col("区划", width=16), excel.Col("年度", excel.NUMBER),
                  excel.Col("指标", width=24), excel.Col("单位"), excel.Col("目标值", excel.NUMBER, 14),
                  excel.Col("完成值", excel.NUMBER, 14), excel.Col("完成率（%）", excel.NUMBER), excel.Col("说明", width=30)]


def target_list(request):
    queryset = _targets(request)
    if request.GET.get("format") == "xlsx":
        rows = [[p.target.region_id, p.target.region.name, p.target.year, CATALOGUE[p.target.indicator].name,
                 CATALOGUE[p.target.indicator].unit, p.target.value, p.actual, p.share, p.target.note]
                for p in services.progress(queryset[:10_000])]
        buffer = io.BytesIO()
        excel.write_table(buffer, "目标任务", TARGET_COLUMNS, rows)
        record_export(request.user, title="目标任务", model_name="target", count=len(rows), full=False, masked=False,
                      channel=PAGE, filters="")
        return _xlsx(buffer.getvalue(), "目标任务完成情况.xlsx")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "stats/target_list.html", {
        "page": page, "rows": services.progress(page.object_list), "catalogue": CATALOGUE,
        "may_edit": services.may_set_targets(request.user), "params": request.GET,
        "choices": [c for c in CATALOGUE.choices() if not CATALOGUE[c[0]].ratio],
    })


def target_edit(request, pk=None):
    target = get_object_or_404(services.visible_targets(request.user), pk=pk) if pk else None
    form = TargetForm(request.POST or None, instance=target, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_target(request.user, region=data["region"], year=data["year"], indicator=data["indicator"],
                                 value=data["value"], note=data["note"], channel=PAGE, target=target)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "目标任务已保存")
            return redirect("stats:target_list")
    return render(request, "stats/form.html", {"form": form, "title": "修改目标任务" if target else "新增目标任务"})


@require_POST
def target_delete(request, pk):
    target = get_object_or_404(services.visible_targets(request.user), pk=pk)
    try:
        services.delete_target(request.user, target, channel=PAGE)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "目标任务已删除")
    return redirect("stats:target_list")


def target_import(request):
    form = TargetImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                count = services.import_targets(request.user, tmp.name, filename=upload.name, channel=PAGE)
            except (PermissionDenied, ValidationError) as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已导入 {count} 条目标任务")
                return redirect("stats:target_list")
    return render(request, "stats/form.html", {"form": form, "title": "导入目标任务", "multipart": True,
                                               "template_url": "stats:target_template"})


def target_template(request):
    buffer = io.BytesIO()
    with excel.XlsxStream(buffer) as out:
        out.add_sheet("目标任务", [excel.Col(h, width=16) for h in services.IMPORT_HEADER])
        if request.user.region_id:
            out.write_row([request.user.region_id, str(services.current_year()), "registry.exit_people", "", ""])
        out.write_note_sheet("指标目录", ["指标代码", "指标名称", "单位"],
                             [[c, s.name, s.unit] for c, s in CATALOGUE.indicators.items() if not s.ratio],
                             [24, 30, 8])
    return _xlsx(buffer.getvalue(), "目标任务导入模板.xlsx")


# --- reports ----------------------------------------------------------------------------------------------------


def report_list(request):
    return render(request, "stats/report_list.html", {
        "templates": ReportTemplate.objects.all(), "year": services.current_year()})


def report_detail(request, code):
    template = get_object_or_404(ReportTemplate.objects.prefetch_related("columns"), code=code)
    form = ReportForm(request.GET or {"year": services.current_year()})
    filled = None
    if form.is_valid():
        region = services.region_for(request.user, form.cleaned_data["region"])
        filled = reports.fill(template, region, form.cleaned_data["year"], form.cleaned_data["month"])
        if request.GET.get("format") == "xlsx":
            buffer = io.BytesIO()
            reports.write(filled, buffer)
            record_export(request.user, title=template.title, model_name="report", count=len(filled.rows),
                          full=False, masked=False, channel=PAGE, filters=f"区划 {region.name}")
            return _xlsx(buffer.getvalue(), reports.filename(filled))
    return render(request, "stats/report_detail.html", {"template": template, "form": form, "filled": filled})
