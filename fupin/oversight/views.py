"""问题台账 pages: the ledger (filters, pagination, export), a problem with its progress, evidence and history and the
actions its status allows, the forms, the import, the statistics and one-click creation from a suspect, a fund
anomaly or a data-quality finding. Thin callers of ``services``; every query starts from ``visible_to(user)``."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from fupin.audit.services import history_for
from fupin.comparison import access as comparison_access
from fupin.core.channels import Channel
from fupin.core.exports import XLSX
from fupin.core.forms import add_errors
from fupin.funds.models import Anomaly
from fupin.jobs import exports
from fupin.jobs import imports as import_jobs
from fupin.monitoring.models import Finding
from fupin.regions.models import Level, ancestor_codes

from . import access, imports, services, stats
from .filters import filter_problems
from .forms import EvidenceForm, ParameterForm, ProblemForm, ProgressForm, ReviewForm
from .jobs import IMPORT, problem_export
from .models import Category, Evidence, OversightParameter, Problem, Status
from .report import write_statistics

PAGE_SIZE = 50
PAGE = Channel.PAGE


def _visible(request):
    return Problem.objects.visible_to(request.user)


def problem_list(request):
    queryset, form = filter_problems(_visible(request), request.GET, request.user)
    queryset = queryset.select_related("region", "household", "owner").order_by("deadline", "id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    return render(request, "oversight/problem_list.html", {
        "page": page, "form": form, "export_url": reverse("oversight:export"),
        "can_write": access.may_change(user, user.region_id or ""), "today": timezone.localdate(),
        "can_escalate": services.may_escalate(user),
    })


def problem_export_view(request):
    return exports.respond(request, problem_export)


def _problem(request, pk) -> Problem:
    return get_object_or_404(_visible(request).select_related(
        "region", "household", "project", "owner", "closed_by", "created_by"), pk=pk)


def problem_detail(request, pk):
    problem = _problem(request, pk)
    user = request.user
    working = problem.status in services.WORKING and access.may_change(user, problem.region_id)
    reviewing = (problem.status == Status.SUBMITTED
                 and access.may_sign_off(user, problem.region_id, problem.region.level))
    return render(request, "oversight/problem_detail.html", {
        "problem": problem, "progress": problem.progress_entries.select_related("user"),
        "evidence": problem.evidence.all(), "history": history_for(problem)[:100],
        "working": working, "reviewing": reviewing, "progress_form": ProgressForm(), "evidence_form": EvidenceForm(),
        "review_form": ReviewForm(), "signer": services.level_label(access.signer_level(problem.region.level)),
        "editable": problem.status != Status.CLOSED and access.may_change(user, problem.region_id),
        "source_url": _source_url(problem.subject),
    })


SOURCE_PAGES = {"comparison.suspect": "comparison:suspect_detail", "funds.anomaly": "funds:anomaly_detail"}


def _source_url(subject: str) -> str:
    kind, _sep, key = subject.partition(":")
    return reverse(SOURCE_PAGES[kind], args=[int(key)]) if kind in SOURCE_PAGES else ""


def problem_edit(request, pk=None):
    problem = _problem(request, pk) if pk else Problem()
    if not access.may_change(request.user, problem.region_id or request.user.region_id or ""):
        raise PermissionDenied("当前账号只能查看问题台账，不能修改")
    form = ProblemForm(request.POST or None, instance=problem, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.save_problem(form.save(commit=False), acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "问题已保存")
            return redirect("oversight:detail", pk=problem.pk)
    return render(request, "oversight/form.html", {
        "form": form, "title": "修改问题" if pk else "登记问题", "back": reverse("oversight:list")})


def _act(request, pk, action, done: str, form_class=None):
    """A POST action on a problem: the form (if any) checked, the service called, the refusal shown as a message."""
    problem = _problem(request, pk)
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("oversight:detail", pk=pk)
    try:
        action(problem, form.cleaned_data if form is not None else {})
    except (PermissionDenied, ValidationError) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("oversight:detail", pk=pk)


@require_POST
def progress_add(request, pk):
    return _act(request, pk, lambda p, d: services.add_progress(
        p, text=d["text"], date=d["date"], acting_user=request.user, channel=PAGE), "整改进展已填报", ProgressForm)


@require_POST
def evidence_add(request, pk):
    return _act(request, pk, lambda p, d: services.add_evidence(
        p, d["file"], caption=d["caption"], acting_user=request.user, channel=PAGE), "佐证材料已上传", EvidenceForm)


@require_POST
def submit(request, pk):
    return _act(request, pk, lambda p, d: services.submit(
        p, note=d["note"], acting_user=request.user, channel=PAGE), "已申请销号，等待上级审核", ReviewForm)


@require_POST
def sign_off(request, pk):
    return _act(request, pk, lambda p, d: services.sign_off(
        p, note=d["note"], acting_user=request.user, channel=PAGE), "问题已销号", ReviewForm)


@require_POST
def reject(request, pk):
    return _act(request, pk, lambda p, d: services.reject(
        p, note=d["note"], acting_user=request.user, channel=PAGE), "已退回重新整改", ReviewForm)


def evidence_file(request, pk):
    stored = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    return FileResponse(stored.file.open("rb"), filename=stored.original_name or None, as_attachment=True)


@require_POST
def escalate(request):
    try:
        reported = services.escalate(acting_user=request.user, channel=PAGE)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"逾期上报 {len(reported)} 个问题")
    return redirect("oversight:list")


# --- one-click creation from the lower apps' records ---------------------------------------------------------------


def _created(request, result):
    problem, created = result
    messages.success(request, f"已列入问题台账（问题 #{problem.pk}）" if created else "该记录已有未销号的问题")
    return redirect("oversight:detail", pk=problem.pk)


def _from(request, record, create, back):
    try:
        return _created(request, create(record, acting_user=request.user, channel=PAGE))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect(back)


@require_POST
def from_suspect(request, pk):
    suspect = get_object_or_404(comparison_access.suspects_visible_to(request.user), pk=pk)
    return _from(request, suspect, services.create_from_suspect, reverse("comparison:suspect_detail", args=[pk]))


@require_POST
def from_anomaly(request, pk):
    anomaly = get_object_or_404(Anomaly.objects.visible_to(request.user).select_related("rule", "allocation"), pk=pk)
    return _from(request, anomaly, services.create_from_anomaly, reverse("funds:anomaly_detail", args=[pk]))


@require_POST
def from_finding(request, pk):
    finding = get_object_or_404(Finding.objects.visible_to(request.user).select_related("rule", "household"), pk=pk)
    return _from(request, finding, services.create_from_quality_finding, reverse("monitoring:quality_list"))


# --- import ------------------------------------------------------------------------------------------------------


def problem_import(request):
    if not access.may_write(request.user):
        raise PermissionDenied("当前账号只能查看问题台账，不能导入")
    return import_jobs.page(
        request, kind=IMPORT, title="导入问题清单",
        intro="督查巡查、审计、考核评估反馈的问题清单，每行一个问题；全部正确才导入，导入后各村、乡镇按时限整改。",
        columns=imports.template_rows(), template_url=reverse("oversight:import_template"),
        template_name="问题清单导入模板.xlsx", back_url=reverse("oversight:list"),
    )


def import_template(request):
    response = HttpResponse(imports.template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "问题清单导入模板.xlsx")
    return response


# --- statistics --------------------------------------------------------------------------------------------------


def _statistics(request):
    queryset, form = filter_problems(_visible(request), request.GET, request.user)
    lines, total, level = stats.by_region_and_category(queryset, request.user)
    return lines, total, level, form


def statistics(request):
    lines, total, level, form = _statistics(request)
    return render(request, "oversight/statistics.html", {
        "lines": lines, "total": total, "region_header": Level(level).label, "form": form,
        "categories": Category.labels, "header_groups": range(len(Category) + 1),
        "export_url": reverse("oversight:statistics_export"),
    })


def statistics_export(request):
    lines, total, level, _form = _statistics(request)
    buffer = io.BytesIO()
    unit = request.user.region.name if request.user.region_id else "全部"
    write_statistics(buffer, title=f"{unit}脱贫攻坚问题整改统计表", unit=unit, region_header=str(Level(level).label),
                     lines=lines, total=total)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"问题整改统计表_{timezone.localdate():%Y%m%d}.xlsx")
    return response


# --- parameters --------------------------------------------------------------------------------------------------


def parameter_list(request):
    """The figures that apply in the account's region: national, those of the regions above it, and its own."""
    code = request.user.region_id or ""
    applying = Q(region__isnull=True) | Q(region_id__in=ancestor_codes(code)) if code else Q(region__isnull=True)
    parameters = OversightParameter.objects.filter(
        applying | Q(pk__in=OversightParameter.objects.visible_to(request.user).values("pk")))
    return render(request, "oversight/parameter_list.html", {
        "parameters": parameters.select_related("region").order_by("code", "region_id", "year"),
        "can_change": access.may_change(request.user, code),
    })


def parameter_edit(request, pk=None):
    item = (get_object_or_404(OversightParameter.objects.visible_to(request.user), pk=pk) if pk
            else OversightParameter())
    form = ParameterForm(request.POST or None, instance=item, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_parameter(form.save(commit=False), acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已保存整改参数")
            return redirect("oversight:parameter_list")
    return render(request, "oversight/form.html", {"form": form, "title": "整改参数",
                                                   "back": reverse("oversight:parameter_list")})

