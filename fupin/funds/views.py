"""扶贫资金 pages: funds with their allocations and spending progress, allocations, disbursements, bank file batches,
parameters, disclosures (公告公示) and their public pages. Views are thin callers of ``services``, ``imports`` and
``disclosures``; every list starts from ``visible_to(user)``."""

from decimal import Decimal
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from fupin.core import excel
from fupin.core.channels import Channel
from fupin.core.exports import XLSX
from fupin.core.forms import add_errors
from fupin.jobs import exports
from fupin.jobs import imports as import_jobs
from fupin.jobs import services as jobs
from fupin.regions.models import Region, ancestor_codes

from . import disclosures, filters, services
from .forms import AllocationForm, DisclosureForm, FundForm, ParameterForm, PlanDisclosureForm, WithdrawForm
from .imports import FIELDS, create_batch, template_columns
from .jobs import LOAD, allocation_export, disbursement_export, fund_export
from .models import Allocation, Disbursement, DisbursementBatch, Fund, FundParameter

PAGE_SIZE = 50
PAGE = Channel.PAGE


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _region_codes(user):
    return filters.township_choices(Region.objects.visible_to(user))


def _chart(rows) -> list[dict]:
    """Progress rows for the bar chart: label, allocated and disbursed (元), share (%)."""
    return [{"name": p.label, "allocated": float(p.allocated), "disbursed": float(p.disbursed),
             "share": round(p.share, 1) if p.share is not None else None} for p in rows]


# --- funds ------------------------------------------------------------------------------------------------------


def fund_list(request):
    queryset, form = filters.filter_funds(Fund.objects.visible_to(request.user).select_related("region"), request.GET)
    page = _page(request, queryset.order_by("-year", "region", "source", "id"))
    progress = {p.key.pk: p for p in services.progress_by_fund(page.object_list, request.user)}
    return render(request, "funds/fund_list.html", {
        "page": page, "form": form, "progress": progress, "export_url": reverse("funds:fund_export"),
        "can_change": services.can_change(request.user, request.user.region_id or ""),
        "region_codes": _region_codes(request.user),
    })


def _fund(request, pk) -> Fund:
    return get_object_or_404(Fund.objects.visible_to(request.user).select_related("region"), pk=pk)


def fund_detail(request, pk):
    fund = _fund(request, pk)
    allocations = list(Allocation.objects.visible_to(request.user).filter(fund=fund)
                       .select_related("region", "project").order_by("status", "region_id", "id"))
    paid = dict(Disbursement.objects.visible_to(request.user).filter(allocation__in=allocations)
                .values("allocation_id").annotate(total=Sum("amount")).values_list("allocation_id", "total")
                .order_by())
    for allocation in allocations:
        allocation.disbursed = paid.get(allocation.pk) or Decimal("0")
    [progress] = services.progress_by_fund([fund], request.user)
    return render(request, "funds/fund_detail.html", {
        "fund": fund, "allocations": allocations, "progress": progress,
        "remaining": fund.amount - services.allocated_total(fund),
        "notices": disclosures.fund_notices(fund),
        "can_change": services.can_change(request.user, fund.region_id),
        "withdraw_form": WithdrawForm(),
    })


def fund_edit(request, pk=None):
    fund = _fund(request, pk) if pk else Fund()
    form = FundForm(request.POST or None, instance=fund, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.save_fund(form.save(commit=False), acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已保存资金指标：{fund.title}")
            return redirect("funds:fund_detail", pk=fund.pk)
    title = f"修改资金指标 · {fund.title}" if fund.pk else "登记资金指标"
    return render(request, "funds/form.html", {"form": form, "title": title})


# --- allocations ------------------------------------------------------------------------------------------------


def allocation_list(request):
    queryset, form = filters.filter_allocations(
        Allocation.objects.visible_to(request.user).select_related("fund", "region", "project"), request.GET)
    page = _page(request, queryset.order_by("-allocated_on", "-id"))
    return render(request, "funds/allocation_list.html", {
        "page": page, "form": form, "export_url": reverse("funds:allocation_export"),
        "region_codes": _region_codes(request.user),
    })


def allocation_edit(request, fund_pk=None, pk=None):
    if pk:
        allocation = get_object_or_404(Allocation.objects.visible_to(request.user).select_related("fund__region"),
                                       pk=pk)
        fund = allocation.fund
    else:
        fund = _fund(request, fund_pk)
        allocation = Allocation(fund=fund)
    form = AllocationForm(request.POST or None, instance=allocation, user=request.user, fund=fund)
    if request.method == "POST" and form.is_valid():
        allocation = form.save(commit=False)
        allocation.fund = fund
        try:
            services.save_allocation(allocation, acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已保存资金分配：{allocation.item} {allocation.amount:,.2f} 元")
            return redirect("funds:fund_detail", pk=fund.pk)
    return render(request, "funds/form.html", {
        "form": form, "title": f"资金分配 · {fund.title}",
        "note": f"资金指标 {fund.amount:,.2f} 元，已分配 {services.allocated_total(fund, exclude=allocation):,.2f} 元"})


@require_POST
def allocation_withdraw(request, pk):
    allocation = get_object_or_404(Allocation.objects.visible_to(request.user), pk=pk)
    form = WithdrawForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写收回原因")
        services.withdraw_allocation(allocation, reason=form.cleaned_data["reason"], acting_user=request.user,
                                     channel=PAGE)
    except (PermissionDenied, ValidationError) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, f"已收回资金分配：{allocation.item}")
    return redirect("funds:fund_detail", pk=allocation.fund_id)


# --- disbursements and batches ----------------------------------------------------------------------------------


def disbursement_list(request):
    queryset, form = filters.filter_disbursements(
        Disbursement.objects.visible_to(request.user).select_related("village", "fund", "allocation__project"),
        request.GET)
    page = _page(request, queryset.order_by("-paid_on", "-id"))
    return render(request, "funds/disbursement_list.html", {
        "page": page, "form": form, "export_url": reverse("funds:disbursement_export"),
        "region_codes": _region_codes(request.user),
        "total": queryset.aggregate(total=Sum("amount"))["total"] or Decimal("0"),
    })


def batch_list(request):
    queryset, form = filters.filter_batches(
        DisbursementBatch.objects.visible_to(request.user).select_related("region", "uploaded_by"), request.GET)
    return render(request, "funds/batch_list.html", {
        "page": _page(request, queryset.order_by("-created", "-id")), "form": form,
        "can_upload": services.can_change(request.user, request.user.region_id or ""),
        "region_codes": _region_codes(request.user),
    })


def _batch(request, pk) -> DisbursementBatch:
    return get_object_or_404(DisbursementBatch.objects.visible_to(request.user).select_related("region", "uploaded_by"),
                             pk=pk)


def batch_detail(request, pk):
    batch = _batch(request, pk)
    return render(request, "funds/batch_detail.html", {
        "batch": batch, "report": batch.report or {},
        "sums": Disbursement.objects.visible_to(request.user).filter(batch=batch).values("village__name")
        .annotate(total=Sum("amount")).order_by("village__name")[:200],
    })


def batch_errors(request, pk):
    batch = _batch(request, pk)
    path = Path(batch.error_file) if batch.error_file else None
    if path is None or not path.is_file():
        raise Http404("该批次没有错误清单")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"拨付明细错误清单-{batch.pk}.xlsx")


def batch_upload(request):
    form = import_jobs.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = create_batch(upload.name, acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            path = import_jobs.save_upload(upload)
            job = jobs.start(LOAD, f"导入拨付明细：{upload.name}", user=request.user, input_file=str(path),
                             params={"batch_id": batch.pk, "channel": PAGE})
            DisbursementBatch.objects.filter(pk=batch.pk).update(job=job)
            return redirect("jobs:detail", pk=job.pk)
    return render(request, "funds/batch_upload.html", {"form": form, "fields": FIELDS})


def batch_template(request):
    response = HttpResponse(excel.to_bytes(template_columns(), [], sheet_name="拨付明细"), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "拨付明细模板.xlsx")
    return response


# --- spending progress -----------------------------------------------------------------------------------------


def progress(request):
    form = filters.FundFilterForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    region = form.cleaned_data.get("region", "") if form.is_valid() else ""
    year = year or services.current_year()
    funds = filters.filter_funds(Fund.objects.visible_to(request.user).select_related("region"),
                                 {"year": year, "region": region})[0].order_by("source", "id")[:200]
    by_fund = services.progress_by_fund(funds, request.user)
    prefix = Region.objects.filter(code=region).first().prefix if region else ""
    townships = services.progress_by_township(request.user, year=year, region_prefix=prefix)
    projects = services.progress_by_project(request.user, year=year, region_prefix=prefix, limit=100)
    return render(request, "funds/progress.html", {
        "form": form, "year": year, "by_fund": by_fund, "townships": townships, "projects": projects,
        "chart": _chart(townships),
        "target": services.schedule_target(timezone.localdate(), request.user.region_id or "") if by_fund else None,
        "region_codes": _region_codes(request.user),
    })


# --- parameters --------------------------------------------------------------------------------------------


def parameter_list(request):
    """The figures that apply in the account's region: national, those of the regions above it, and its own."""
    code = request.user.region_id or ""
    applying = Q(region__isnull=True) | Q(region_id__in=ancestor_codes(code)) if code else Q(region__isnull=True)
    parameters = FundParameter.objects.filter(applying | Q(pk__in=FundParameter.objects.visible_to(request.user)
                                                            .values("pk")))
    return render(request, "funds/parameter_list.html", {
        "parameters": parameters.select_related("region").order_by("code", "region_id", "year"),
        "can_change": services.can_change(request.user, request.user.region_id or ""),
    })


def parameter_edit(request, pk=None):
    item = get_object_or_404(FundParameter.objects.visible_to(request.user), pk=pk) if pk else FundParameter()
    form = ParameterForm(request.POST or None, instance=item, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_parameter(form.save(commit=False), acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已保存资金参数")
            return redirect("funds:parameter_list")
    return render(request, "funds/form.html", {"form": form, "title": "资金参数"})


# --- disclosures (notices of the procedures engine) -----------------------------------------------------------


def disclosure_list(request):
    return render(request, "funds/disclosure_list.html", {
        "page": _page(request, disclosures.funds_notices(request.user)),
        "can_publish": services.can_change(request.user, request.user.region_id or ""),
    })


def _publish(request, form, **target):
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = disclosures.publish(
                start_date=data["start_date"], end_date=data["end_date"], title=data["title"], body=data["body"],
                contact=data["contact"], acting_user=request.user, channel=PAGE, **target)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已发布公告：{notice.title}")
            return redirect("public_notices:detail", pk=notice.pk)
    return None


def disclosure_create(request, fund_pk):
    """Publish a fund's allocation results (谁分配、谁公开: the fund's region publishes)."""
    fund = _fund(request, fund_pk)
    form = DisclosureForm(request.POST or None, days=services.disclosure_days(fund.year, fund.region_id))
    response = _publish(request, form, kind=disclosures.ALLOCATION, fund=fund)
    columns = disclosures.COLUMNS[disclosures.ALLOCATION]
    return response or render(request, "funds/form.html", {
        "form": form, "title": f"公示分配结果 · {fund.title}", "publishing": True,
        "headings": [heading for _, heading in columns],
        "rows": [[row[key] for key, _ in columns] for _, row in disclosures.allocation_rows(fund)]})


def plan_disclosure_create(request):
    region_code = request.POST.get("region") or request.user.region_id or ""
    form = PlanDisclosureForm(request.POST or None, user=request.user,
                              days=services.disclosure_days(services.current_year(), region_code))
    target = {"kind": disclosures.PLAN}
    if form.is_bound and form.is_valid():
        target.update(region=form.cleaned_data["region"], year=form.cleaned_data["year"])
    response = _publish(request, form, **target)
    return response or render(request, "funds/form.html", {"form": form, "title": "公示项目计划", "publishing": True})


fund_export_view = exports.view(fund_export)
allocation_export_view = exports.view(allocation_export)
disbursement_export_view = exports.view(disbursement_export)
