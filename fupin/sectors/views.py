"""行业政策 pages: one section per sector (lists with filters, pagination and Excel export; forms on the household),
the workflow steps, the imports, the 应享未享 board and the configuration. Thin callers of the services."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.audit.services import history_for
from fupin.core.channels import Channel
from fupin.core.exports import XLSX, params_of
from fupin.core.forms import add_errors
from fupin.core.search import redirect_for_search, search_params
from fupin.jobs import imports as import_jobs
from fupin.jobs import services as jobs
from fupin.regions.models import Level, Region
from fupin.registry.models import Household

from . import board, coverage, datasets, services
from .access import can_configure, can_enter, can_run_coverage, visible
from .choices import SECTOR_DEPARTMENTS, Policy, Sector
from .filters import filter_gaps, filter_records
from .forms import (
    ApproveForm,
    DateForm,
    DiseaseForm,
    FigureForm,
    FollowUpForm,
    RuleForm,
    RunForm,
    SupportForm,
    TaperForm,
    record_form,
)
from .imports import IMPORT_JOB, import_columns
from .kinds import BY_CODE, SECTION_KINDS
from .models import ChronicDisease, CoverageRule, DropoutCase, Enrolment, PolicyFigure, Relocation, YuluApplication
from .tables import figures_text, gap_table

PAGE_SIZE = 50


def _kind(code: str):
    kind = BY_CODE.get(code)
    if kind is None:
        raise Http404("没有这类记录")
    return kind


def _xlsx(write, title: str) -> FileResponse:
    buffer = io.BytesIO()
    write(buffer)
    buffer.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    return FileResponse(buffer, as_attachment=True, filename=f"{title}_{stamp}.xlsx", content_type=XLSX)


def index(request):
    """The sections, each with its record kinds and how many records the account sees."""
    user = request.user
    sections = []
    for sector, label in Sector.choices:
        kinds = [(kind, visible(user, kind.model).count()) for kind in SECTION_KINDS[sector]]
        sections.append({"sector": sector, "label": label, "kinds": kinds,
                         "departments": "、".join(SECTOR_DEPARTMENTS[sector]) or "县乡村"})
    return render(request, "sectors/index.html", {
        "sections": sections, "gaps": board.gaps_visible_to(user).filter(status="open").count(),
        "datasets": datasets.loadable_datasets(user)[:30] if user.can_write else [],
    })


@require_POST
def dataset_load(request):
    dataset = get_object_or_404(datasets.loadable_datasets(request.user), pk=request.POST.get("dataset") or 0)
    try:
        counts = datasets.load(dataset, acting_user=request.user, channel=Channel.PAGE)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"已从“{dataset.title}”新增 {counts['created']} 条，已有 {counts['existing']} 条，"
                                  f"未匹配在册人员 {counts['unmatched']} 条，未通过校验 {counts['refused']} 条")
        for reason in counts["reasons"][:5]:
            messages.warning(request, reason)
    return redirect("sectors:index")


def _records(request, kind):
    queryset = visible(request.user, kind.model).select_related("household", "village")
    return filter_records(kind, queryset, params_of(request), request.user)


def record_list(request, kind):
    kind = _kind(kind)
    if (response := redirect_for_search(request)) is not None:
        return response
    queryset, form = _records(request, kind)
    page = Paginator(queryset.order_by(*kind.model._meta.ordering), PAGE_SIZE).get_page(search_params(request).get("page"))
    ids = [record.pk for record in page]
    rows = dict(zip(ids, kind.table.rows(kind.model.objects.filter(pk__in=ids).order_by(*kind.model._meta.ordering))))
    return render(request, "sectors/list.html", {
        "kind": kind, "form": form, "page": page, "headers": [c.header for c in kind.table.columns_for(full=False)],
        "rows": [(kind.url("detail", pk), rows.get(pk, [])) for pk in ids], "post_search": True,
        "can_add": _may_add(request.user, kind),
    })


def _may_add(user, kind) -> bool:
    if kind.model is Enrolment:
        return any(can_enter(user, Enrolment(policy=policy)) for policy in Policy.values)
    return can_enter(user, kind.model())


def record_export(request, kind):
    kind = _kind(kind)
    queryset, _form = _records(request, kind)
    return _xlsx(lambda out: kind.table.write(queryset.select_related(None).order_by(*kind.model._meta.ordering),
                                              out), kind.title)


def _record(request, kind, pk):
    return get_object_or_404(visible(request.user, kind.model).select_related("household", "village"), pk=pk)


def _household(request):
    """The household a new record is entered from (its file's panel), if any."""
    pk = request.GET.get("household") or request.POST.get("household_context")
    if not pk or not str(pk).isdigit():
        return None
    return get_object_or_404(Household.objects.visible_to(request.user), pk=pk)


def record_edit(request, kind, pk=None):
    kind = _kind(kind)
    instance = _record(request, kind, pk) if pk else kind.model()
    household = None if pk else _household(request)
    form = record_form(kind)(request.POST or None, instance=instance, kind=kind, user=request.user,
                             household=household)
    if request.method == "POST" and form.is_valid():
        try:
            saved = kind.save(form.save(commit=False), acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{kind.title}已保存")
            return redirect(kind.url("detail", saved.pk))
    title = f"{'修改' if pk else '新增'}{kind.title}"
    if household is not None:
        title += f" · {household.number} {household.head_name}"
    return render(request, "sectors/form.html", {"form": form, "title": title, "kind": kind,
                                                 "household": household})


def record_detail(request, kind, pk):
    kind = _kind(kind)
    record = _record(request, kind, pk)
    fields = [(f.verbose_name, _display(record, f)) for f in kind.model._meta.concrete_fields
              if f.name not in ("id", "village", "dataset") and not f.name.endswith("_by")]
    context = {"kind": kind, "record": record, "fields": fields,
               "can_change": request.user.can_write and can_enter(request.user, record),
               "history": history_for(record)[:100] if request.user.may_read_audit_trail else None}
    if isinstance(record, YuluApplication):
        context.update(approve_form=ApproveForm(), pay_form=DateForm())
    elif isinstance(record, DropoutCase):
        context.update(follow_ups=record.follow_ups.select_related("recorded_by"), follow_form=FollowUpForm())
    elif isinstance(record, Relocation):
        context.update(supports=record.supports.all(), support_form=SupportForm())
    elif isinstance(record, Enrolment):
        context.update(taper_form=TaperForm())
    return render(request, "sectors/detail.html", context)


def _display(record, field) -> str:
    if field.choices:
        return getattr(record, f"get_{field.name}_display")()
    value = getattr(record, field.name)
    if field.name == "member" and value is not None:
        return f"{value.name}"
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def _step(request, kind, pk, form_class, action, done: str):
    record = _record(request, _kind(kind), pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(record, form.cleaned_data)
        except (PermissionDenied, ValidationError) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        else:
            messages.success(request, done)
    else:
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
    return redirect(_kind(kind).url("detail", pk))


@require_POST
def yulu_approve(request, pk):
    return _step(request, "yulu", pk, ApproveForm, lambda app, d: services.approve_yulu(
        app, approved=d["approved"], on=d["on"], reason=d["reason"], acting_user=request.user,
        channel=Channel.PAGE), "审核结果已保存")


@require_POST
def yulu_pay(request, pk):
    return _step(request, "yulu", pk, DateForm, lambda app, d: services.pay_yulu(
        app, on=d["on"], acting_user=request.user, channel=Channel.PAGE), "已登记发放")


@require_POST
def dropout_follow_up(request, pk):
    return _step(request, "dropouts", pk, FollowUpForm, lambda case, d: services.follow_up(
        case, date=d["date"], content=d["content"], status=d["status"], school=d["school"],
        acting_user=request.user, channel=Channel.PAGE), "劝返记录已保存")


@require_POST
def relocation_support(request, pk):
    return _step(request, "relocations", pk, SupportForm, lambda relocation, d: services.add_support(
        relocation, date=d["date"], content=d["content"], acting_user=request.user, channel=Channel.PAGE),
        "后续扶持措施已保存")


@require_POST
def enrolment_taper(request, pk):
    return _step(request, "enrolments", pk, TaperForm, lambda enrolment, d: services.start_taper(
        enrolment, d["start"], acting_user=request.user, channel=Channel.PAGE), "已进入渐退期")


def record_import(request, kind):
    kind = _kind(kind)
    form = import_jobs.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = jobs.start(IMPORT_JOB, f"导入{kind.title}：{upload.name}", user=request.user,
                         input_file=str(import_jobs.save_upload(upload)),
                         params={"filename": upload.name, "kind": kind.code})
        return redirect("jobs:detail", pk=job.pk)
    return render(request, "core/import.html", {
        "form": form, "title": f"导入{kind.title}", "columns": import_columns(kind),
        "intro": "每行一条记录；成员按证件号码、户按户编号对应本账号管辖范围内的在册人员和户。",
        "back_url": kind.url("list"),
    })


# --- 应享未享 ------------------------------------------------------------------------------------------------------

def coverage_board(request):
    user = request.user
    year = _year(request)
    level = Level.VILLAGE if request.GET.get("level") == "village" else board.default_level(user)
    gaps = board.gaps_visible_to(user).filter(year=year)
    rules = [r for r in board.rules(active_only=False) if gaps.filter(rule=r.code).exists() or r.active]
    return render(request, "sectors/board.html", {
        "year": year, "level": level, "rows": board.counts(gaps, level), "rules": rules,
        "village_level": level == Level.VILLAGE, "run_form": RunForm(initial={"year": year}),
        "can_run": can_run_coverage(user), "last_run": board.runs_visible_to(user).first(),
    })


def _year(request) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else timezone.localdate().year


@require_POST
def coverage_run(request):
    form = RunForm(request.POST)
    if not form.is_valid():
        raise ValidationError("年度无效")
    year = form.cleaned_data["year"]
    try:
        run = board.run(request.user.region, year, acting_user=request.user, channel=Channel.PAGE)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"{year}年应享未享排查完成：{run.summary['open']}条未享，"
                                  f"新发现{run.summary['new']}条，已补齐{run.summary['closed']}条")
    return redirect(f"{reverse('sectors:coverage')}?year={year}")


def _gaps(request):
    return filter_gaps(board.gaps_visible_to(request.user), params_of(request), request.user)


def gap_list(request):
    if (response := redirect_for_search(request)) is not None:
        return response
    queryset, form = _gaps(request)
    page = Paginator(queryset.order_by("village_code", "household_number", "rule"), PAGE_SIZE).get_page(
        search_params(request).get("page"))
    names = board.rule_names()
    villages = dict(Region.objects.filter(code__in={g.village_code for g in page}).values_list("code", "name"))
    for gap in page:
        gap.rule_name = names.get(gap.rule, gap.rule)
        gap.village_name = villages.get(gap.village_code, "")
        gap.figures_text = figures_text(gap.figures)
    return render(request, "sectors/gaps.html", {"page": page, "form": form, "post_search": True})


def gap_export(request):
    queryset, _form = _gaps(request)
    return _xlsx(lambda out: gap_table().write(queryset, out), "应享未享清单")


def facts_help(request):
    return render(request, "sectors/facts.html", {"tables": [
        ("成员事实表（对象为成员的规则）", coverage.MEMBER_FACTS), ("户事实表（对象为户的规则）", coverage.HOUSEHOLD_FACTS)]})


# --- configuration -------------------------------------------------------------------------------------------------

def config(request):
    return render(request, "sectors/config.html", {
        "figures": PolicyFigure.objects.select_related("region"),
        "diseases": ChronicDisease.objects.select_related("region"),
        "rules": CoverageRule.objects.all(), "can_configure": can_configure(request.user),
    })


CONFIG_FORMS = {"figures": (PolicyFigure, FigureForm, "政策标准"),
                "diseases": (ChronicDisease, DiseaseForm, "门诊慢性病病种"),
                "rules": (CoverageRule, RuleForm, "应享未享规则")}


def config_edit(request, what, pk=None):
    if what not in CONFIG_FORMS:
        raise Http404("没有这类配置")
    model, form_class, label = CONFIG_FORMS[what]
    if not can_configure(request.user):
        raise PermissionDenied("只有县级账号和系统管理员可以维护政策标准和应享未享规则")
    instance = get_object_or_404(model, pk=pk) if pk else model()
    form = form_class(request.POST or None, instance=instance)
    if "region" in form.fields:
        form.fields["region"].queryset = Region.objects.visible_to(request.user).filter(level__lte=Level.COUNTY)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_config(form.save(commit=False), acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{label}已保存")
            return redirect("sectors:config")
    return render(request, "sectors/form.html", {"form": form, "title": f"{'修改' if pk else '新增'}{label}"})
