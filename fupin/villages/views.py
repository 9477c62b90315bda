"""贫困村出列 pages: the assessment list per year (filters, pagination, Excel export), a village's page explaining
each figure with its checklist and evidence, the forms of its yearly data and answers, the exit procedure, the
Excel import, and the figures and checklist. Thin callers of ``assessment``, ``services``, ``exits`` and
``imports``; every lookup starts from ``visible_to(user)``."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from fupin.audit.services import record_export
from fupin.core import excel
from fupin.core.channels import Channel
from fupin.core.exports import XLSX
from fupin.core.forms import add_errors
from fupin.jobs.imports import UploadForm
from fupin.regions.models import Level, Region

from . import exits, imports, services
from .assessment import assess
from .forms import (
    AssessmentFilterForm,
    DecisionForm,
    EvidenceForm,
    ExitNoticeForm,
    ExitStartForm,
    IndicatorForm,
    ParameterForm,
    VillageYearForm,
    default_year,
)
from .models import Evidence, ExitStatus, Indicator, IndicatorAnswer, VillageExit, VillageParameter, VillageYear

PAGE_SIZE = 50
PAGE = Channel.PAGE


def _top(user) -> Region:
    region = user.region if user.region_id else Region.objects.order_by("level", "code").first()
    if region is None:
        raise Http404("尚未建立行政区划")
    return region


def filtered_results(user, values: dict):
    """The assessment rows of the list, its export and the API: scope, township, poor villages, verdict."""
    region = _top(user)
    if values["township"]:
        region = get_object_or_404(Region.objects.visible_to(user), code=values["township"])
    results = assess(region, values["year"], user=user, poor_only=values["poor_only"])
    if values["verdict"]:
        results = [r for r in results if r.verdict == values["verdict"]]
    return results


def assessment_list(request):
    form = AssessmentFilterForm(request.GET or None, user=request.user)
    values = form.values()
    results = filtered_results(request.user, values)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    open_exits = dict(VillageExit.objects.visible_to(request.user).filter(
        village_id__in=[r.village_code for r in page.object_list], status=ExitStatus.IN_PROGRESS)
        .values_list("village_id", "pk"))
    return render(request, "villages/assessment_list.html", {
        "form": form, "page": page, "year": values["year"], "open_exits": open_exits,
        "export_url": reverse("villages:export"),
        "passed": sum(r.passed for r in results), "total": len(results),
        "can_import": services.can_change(request.user, request.user.region_id or ""),
        "can_configure": services.can_configure(request.user),
    })


def assessment_export(request):
    form = AssessmentFilterForm(request.GET or None, user=request.user)
    values = form.values()
    results = filtered_results(request.user, values)
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    count = excel.write_table(handle, "贫困村出列评估", imports.assessment_columns(), imports.assessment_rows(results))
    filters = "，".join(f"{k}={v}" for k, v in values.items() if v)
    record_export(request.user, title=f"{values['year']}年贫困村出列评估", model_name="villageyear", count=count,
                  full=False, masked=False, channel=PAGE, filters=filters)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"贫困村出列评估_{values['year']}.xlsx",
                        content_type=XLSX)


def _village(request, code) -> Region:
    return get_object_or_404(Region.objects.visible_to(request.user).select_related("parent"), code=code,
                             level=Level.VILLAGE)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or default_year())
    except ValueError:
        year = default_year()
    return year if 2000 <= year <= 2100 else default_year()


def village_detail(request, code):
    village, year = _village(request, code), _year(request)
    [result] = assess(village, year)
    exit_ = (VillageExit.objects.filter(village=village).select_related("village").order_by("-created").first())
    problems = exits.exit_problems(village, year, result)[0] if exit_ is None or exit_.status != ExitStatus.IN_PROGRESS \
        else []
    can_change = services.can_change(request.user, village.code)
    return render(request, "villages/village_detail.html", {
        "village": village, "year": year, "result": result, "exit": exit_,
        "exit_problems": problems, "can_change": can_change,
        "may_start": can_change and not problems and exits.may_start(request.user, village, year),
        "start_form": ExitStartForm(),
    })


def village_edit(request, code):
    """The village's figures of a year and its checklist answers, on one form."""
    village, year = _village(request, code), _year(request)
    row = VillageYear.objects.filter(village=village, year=year).first() or VillageYear(village=village, year=year)
    form = VillageYearForm(request.POST or None, instance=row)
    checklist = services.indicators_for([village.code])[village.code]
    given = {a.indicator_id: a for a in IndicatorAnswer.objects.filter(village=village, year=year)}
    if request.method == "POST" and form.is_valid():
        try:
            services.ensure_can_change(request.user, village.code)
            item = form.save(commit=False)
            item.village, item.year = village, year
            services.save_village_year(item, acting_user=request.user, channel=PAGE)
            for indicator in checklist:
                choice = request.POST.get(f"met_{indicator.pk}", "")
                if choice in ("1", "0"):
                    services.answer(village, year, indicator, met=choice == "1",
                                    note=request.POST.get(f"note_{indicator.pk}", ""), acting_user=request.user,
                                    channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已保存{village.name}{year}年出列数据")
            return redirect(f"{reverse('villages:detail', args=[village.code])}?year={year}")
    items = [(i, given.get(i.pk), request.POST.get(f"met_{i.pk}") if request.method == "POST" else None)
             for i in checklist]
    return render(request, "villages/village_form.html", {"form": form, "village": village, "year": year,
                                                          "items": items})


@require_POST
def evidence_add(request, pk):
    item = get_object_or_404(IndicatorAnswer.objects.visible_to(request.user), pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_evidence(item, form.cleaned_data["file"], acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, "已上传佐证材料")
    else:
        messages.error(request, "请选择要上传的佐证材料")
    return redirect(f"{reverse('villages:detail', args=[item.village_id])}?year={item.year}")


def evidence(request, pk):
    stored = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    return FileResponse(stored.file.open("rb"), filename=stored.original_name or None)


# --- the exit procedure ------------------------------------------------------------------------------------------


@require_POST
def exit_start(request, code):
    village, year = _village(request, code), _year(request)
    form = ExitStartForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        exit_ = exits.start_exit(village, year, comment=comment, acting_user=request.user, channel=PAGE)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect(f"{reverse('villages:detail', args=[village.code])}?year={year}")
    messages.success(request, f"已发起{village.name}{year}年出列申请")
    return redirect("villages:exit_detail", pk=exit_.pk)


def exit_list(request):
    queryset = VillageExit.objects.visible_to(request.user).select_related("village__parent")
    status = request.GET.get("status", "")
    if status in ExitStatus.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset.order_by("-created", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "villages/exit_list.html", {"page": page, "status": status,
                                                       "statuses": ExitStatus.choices})


def _exit(request, pk) -> VillageExit:
    return get_object_or_404(VillageExit.objects.visible_to(request.user).select_related("village__parent"), pk=pk)


def exit_detail(request, pk):
    exit_ = _exit(request, pk)
    steps = list(exit_.steps.all())
    step = next((s for s in steps if s.order == exit_.current_order), None)
    return render(request, "villages/exit_detail.html", {
        "exit": exit_, "steps": steps, "step": step, "actions": exit_.actions.select_related("step"),
        "notices": exits.exit_notices(exit_),
        "problems": exits.notice_problems(exit_, step) if step is not None and step.is_notice else [],
        "decision_form": DecisionForm(), "notice_form": ExitNoticeForm(),
        "can_change": services.can_change(request.user, exit_.village_id),
    })


@require_POST
def exit_decide(request, pk):
    exit_ = _exit(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            exits.decide(exit_, form.cleaned_data["decision"], comment=form.cleaned_data["comment"],
                         acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, "已办理")
    else:
        messages.error(request, "请选择办理结果")
    return redirect("villages:exit_detail", pk=exit_.pk)


@require_POST
def exit_notice(request, pk):
    exit_ = _exit(request, pk)
    form = ExitNoticeForm(request.POST)
    if form.is_valid():
        try:
            notice = exits.publish_notice(exit_, acting_user=request.user, channel=PAGE, **form.cleaned_data)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, f"已发布：{notice.title}")
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{'；'.join(e)}" for f, e in form.errors.items()))
    return redirect("villages:exit_detail", pk=exit_.pk)


# --- import ------------------------------------------------------------------------------------------------------


def village_import(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    errors, done = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            try:
                done = imports.import_village_data(handle.name, filename=upload.name, acting_user=request.user,
                                                   channel=PAGE)
            except PermissionDenied as exc:
                errors = [str(exc)]
        if done is not None and done.errors:
            errors = [str(e) for e in done.errors]
        elif done is not None:
            messages.success(request, f"已导入{done.rows}条村年度数据、{done.answers}项指标达标情况")
            return redirect("villages:list")
    return render(request, "villages/import.html", {"form": form, "errors": errors[:200],
                                                    "error_count": len(errors), "fields": imports.FIELDS})


def import_template(request):
    names = [i.name for i in services.indicators_for([request.user.region_id or ""])[request.user.region_id or ""]]
    response = HttpResponse(excel.to_bytes(imports.template_columns(names), [], sheet_name="村年度数据"),
                            content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "贫困村出列数据模板.xlsx")
    return response


# --- figures and checklist ---------------------------------------------------------------------------------------


def configuration(request):
    """The figures and checklist items that apply in the account's region (national, above, its own)."""
    code = request.user.region_id or ""
    prefixes = {code[:n] for n in (0, 2, 4, 6, 9, 12)}
    parameters = VillageParameter.objects.filter(region_prefix__in=prefixes) if code else \
        VillageParameter.objects.all()
    indicators = Indicator.objects.filter(Q(region__isnull=True) | Q(region__in=Region.objects.filter(
        code__in=[c.ljust(12, "0") for c in prefixes if c]))) if code else Indicator.objects.all()
    return render(request, "villages/configuration.html", {
        "parameters": parameters.order_by("code", "region_prefix", "year"),
        "indicators": indicators.select_related("region").order_by("region", "position", "code"),
        "can_configure": services.can_configure(request.user),
    })


def parameter_edit(request, pk=None):
    item = get_object_or_404(VillageParameter, pk=pk) if pk else VillageParameter()
    form = ParameterForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_parameter(form.save(commit=False), acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已保存出列参数")
            return redirect("villages:configuration")
    return render(request, "villages/form.html", {"form": form, "title": "出列参数",
                                                  "note": "贫困发生率上限以小数填写（0.02 即 2%）；增幅以小数填写（0.08 即 8%）。"})


def indicator_edit(request, pk=None):
    item = get_object_or_404(Indicator, pk=pk) if pk else Indicator()
    form = IndicatorForm(request.POST or None, instance=item, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_indicator(form.save(commit=False), acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已保存出列指标")
            return redirect("villages:configuration")
    return render(request, "villages/form.html", {"form": form, "title": "出列指标"})
