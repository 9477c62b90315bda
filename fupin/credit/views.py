"""小额信贷 pages: thin callers of credit.services over querysets scoped with visible_to()."""

import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.core.channels import Channel
from fupin.core.exports import XLSX
from fupin.core.forms import add_errors
from fupin.jobs import exports as export_views
from fupin.jobs import imports as import_jobs
from fupin.regions.models import Region, ancestor_codes
from fupin.registry.models import Household

from . import imports, jobs, parameters, services
from .choices import FundEntryKind, LoanStatus
from .filters import filter_due_soon, filter_loans, filter_subsidies
from .forms import ExtendForm, FundEntryForm, HouseholdPickForm, LoanForm, ParameterForm, RepaymentForm
from .models import CreditParameter, FundEntry, Loan, LoanRiskEvent, Repayment, ScheduleItem, Subsidy

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _writes(request) -> bool:
    return services.can_change(request.user, request.user.region_id or "")


# --- loans ----------------------------------------------------------------------------------------------------------

def loan_list(request):
    queryset, form = filter_loans(
        Loan.objects.visible_to(request.user).select_related("household", "village", "borrower"), request.GET)
    page = _page(request, queryset.order_by("-start_date", "-id"))
    return render(request, "credit/loan_list.html", {"page": page, "form": form, "can_write": _writes(request)})


loan_export = export_views.view(jobs.loan_export)


def overdue_list(request):
    queryset = jobs.overdue_rows(request.user, request.GET)
    _, form = filter_loans(Loan.objects.none(), request.GET)
    totals = queryset.aggregate(n=Count("id"), principal=Sum("overdue_principal"))
    page = _page(request, queryset.order_by("overdue_since", "village_id", "id"))
    return render(request, "credit/overdue_list.html", {"page": page, "form": form, "totals": totals,
                                                        "today": timezone.localdate(),
                                                        "can_write": _writes(request)})


overdue_export = export_views.view(jobs.overdue_export)


def due_soon_list(request):
    days = jobs.due_soon_days(request.user)
    queryset, form = filter_due_soon(
        ScheduleItem.objects.visible_to(request.user).select_related("loan__household", "loan__borrower",
                                                                     "loan__village"), request.GET, days)
    page = _page(request, queryset.order_by("due_date", "loan__village_id", "id"))
    return render(request, "credit/due_soon_list.html", {"page": page, "form": form, "days": days})


due_soon_export = export_views.view(jobs.due_soon_export)


@require_POST
def check(request):
    """更新逾期状态: the overdue check over the account's scope (what `fupin credit check` does each day)."""
    services.ensure_can_change(request.user, request.user.region_id or "")
    try:
        counts = services.check_overdue(Loan.objects.visible_to(request.user), acting_user=request.user,
                                        channel=Channel.PAGE)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已检查 {counts['checked']} 笔贷款：逾期 {counts['overdue']} 笔，"
                                  f"新登记风险事件 {counts['events']} 个")
    return redirect("credit:overdue_list")


def _household(request, pk) -> Household:
    return get_object_or_404(Household.objects.visible_to(request.user).select_related("village"), pk=pk)


def loan_create(request):
    """New loan: the household comes from its file (``?household=``) or is looked up by its number."""
    household_id = request.GET.get("household")
    if not household_id:
        pick = HouseholdPickForm(request.POST or None)
        if request.method == "POST" and pick.is_valid():
            found = Household.objects.visible_to(request.user).filter(number=pick.cleaned_data["number"].strip())
            if found.exists():
                return redirect(f"{request.path}?household={found.get().pk}")
            pick.add_error("number", "没有这个户编号（或不在管辖范围内）")
        return render(request, "credit/loan_pick.html", {"form": pick})
    if not household_id.isdigit():
        raise Http404
    return _loan_form(request, Loan(household=_household(request, int(household_id))))


def loan_edit(request, pk):
    loan = get_object_or_404(Loan.objects.visible_to(request.user).select_related("household__village"), pk=pk)
    return _loan_form(request, loan)


def _loan_form(request, loan):
    household = loan.household
    services.ensure_can_change(request.user, household.village_id)
    form = LoanForm(request.POST or None, instance=loan, household=household,
                    borrowers=services.borrowers_of(household))
    if request.method == "POST" and form.is_valid():
        try:
            loan = services.save_loan(form.instance, acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已保存贷款 {loan.contract_number}")
            return redirect("credit:loan_detail", pk=loan.pk)
    return render(request, "credit/loan_form.html", {"form": form, "household": household, "loan": loan})


def loan_detail(request, pk):
    loan = get_object_or_404(Loan.objects.visible_to(request.user).select_related(
        "household", "village", "borrower"), pk=pk)
    repay_form, extend_form = RepaymentForm(prefix="repay"), ExtendForm(prefix="extend")
    if request.method == "POST":
        services.ensure_can_change(request.user, loan.village_id)
        action = request.POST.get("action")
        try:
            if action == "repay":
                repay_form = RepaymentForm(request.POST, prefix="repay", instance=Repayment(loan=loan))
                if repay_form.is_valid():
                    services.record_repayment(repay_form.instance, acting_user=request.user, channel=Channel.PAGE)
                    messages.success(request, "已登记还款")
                    return redirect("credit:loan_detail", pk=loan.pk)
            elif action == "extend":
                extend_form = ExtendForm(request.POST, prefix="extend")
                if extend_form.is_valid():
                    services.extend_loan(loan, months=extend_form.cleaned_data["months"], acting_user=request.user,
                                         channel=Channel.PAGE)
                    messages.success(request, "已办理展期")
                    return redirect("credit:loan_detail", pk=loan.pk)
        except ValidationError as exc:
            add_errors(repay_form if action == "repay" else extend_form, exc)
    today = timezone.localdate()
    context = {
        "loan": loan, "household": loan.household, "arrears": services.arrears(loan, today), "today": today,
        "schedule": list(loan.schedule.all()), "repayments": list(loan.repayments.all()),
        "subsidies": list(loan.subsidies.all()),
        "risk_links": list(LoanRiskEvent.objects.filter(loan=loan).select_related("event")),
        "fund_entries": list(loan.fund_entries.all()),
        "repay_form": repay_form, "extend_form": extend_form,
        "can_write": services.can_change(request.user, loan.village_id),
    }
    return render(request, "credit/loan_detail.html", context)


# --- repayment import ---------------------------------------------------------------------------------------------

def repayment_import(request):
    if not _writes(request):
        raise PermissionDenied("当前账号只能查看小额信贷，不能导入还款")
    return import_jobs.page(
        request, kind=jobs.IMPORT_KIND, title="导入银行还款明细",
        intro="每行一笔还款：合同编号（或借款人证件号码，该人只有一笔未结清贷款时）、还款日期、归还本金、归还利息。",
        template_url=reverse("credit:repayment_template"), template_name="还款明细模板.xlsx",
        back_url=reverse("credit:loan_list"),
        columns=[("合同编号", "与证件号码二选一", "放贷银行的借款合同编号", ""),
                 ("证件号码", "与合同编号二选一", "借款人18位身份证号码（文本格式）", ""),
                 ("还款日期", "是", "如 2024-03-21", ""), ("归还本金", "是", "元，最多两位小数；无则填0", ""),
                 ("归还利息", "是", "元，最多两位小数；无则填0", ""), ("备注", "否", "", "")],
    )


def repayment_template(request):
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    imports.write_template(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename="还款明细模板.xlsx", content_type=XLSX)


# --- subsidies ------------------------------------------------------------------------------------------------------

def subsidy_list(request):
    queryset, form = filter_subsidies(
        Subsidy.objects.visible_to(request.user).select_related("loan__household", "loan__borrower", "village"),
        request.GET)
    totals = queryset.aggregate(n=Count("id"), amount=Sum("amount"), computed=Sum("computed"),
                                lost=Count("id", filter=~Q(lost_reason="")))
    page = _page(request, queryset.order_by("-period_start", "village_id", "loan__contract_number"))
    return render(request, "credit/subsidy_list.html", {"page": page, "form": form, "totals": totals,
                                                        "can_write": _writes(request)})


subsidy_export = export_views.view(jobs.subsidy_export)


@require_POST
def subsidy_compute(request):
    services.ensure_can_change(request.user, request.user.region_id or "")
    try:
        written = services.compute_subsidies(Loan.objects.visible_to(request.user), acting_user=request.user,
                                             channel=Channel.PAGE)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"已计算贴息：更新 {written} 条")
    return redirect("credit:subsidy_list")


# --- risk compensation fund ---------------------------------------------------------------------------------------

def fund_list(request):
    if request.method == "POST":
        services.ensure_can_change(request.user, request.user.region_id or "")
    entries = FundEntry.objects.visible_to(request.user).select_related("county", "loan")
    form = FundEntryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        entry = form.instance
        number = form.cleaned_data["contract_number"].strip()
        if number:
            entry.loan = Loan.objects.visible_to(request.user).filter(contract_number=number).first()
            if entry.loan is None:
                form.add_error("contract_number", "没有这个合同编号的贷款（或不在管辖范围内）")
        if not form.errors:
            try:
                services.record_fund_entry(entry, acting_user=request.user, channel=Channel.PAGE)
            except (PermissionDenied, ValidationError) as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已登记{entry.get_kind_display()} {entry.amount} 元")
                return redirect("credit:fund_list")
    balances = (entries.order_by().values("county_id", "county__name").annotate(
        deposits=Sum("amount", filter=Q(kind=FundEntryKind.DEPOSIT)),
        compensations=Sum("amount", filter=Q(kind=FundEntryKind.COMPENSATION)),
        recoveries=Sum("amount", filter=Q(kind=FundEntryKind.RECOVERY))).order_by("county_id"))
    for row in balances:
        row["balance"] = ((row["deposits"] or 0) + (row["recoveries"] or 0) - (row["compensations"] or 0))
    return render(request, "credit/fund_list.html", {
        "page": _page(request, entries.order_by("-date", "-id")), "form": form, "balances": balances,
        "can_write": _writes(request), "compensated": LoanStatus.COMPENSATED})


fund_export = export_views.view(jobs.fund_export)


# --- parameters -----------------------------------------------------------------------------------------------------

def parameter_list(request):
    rows = CreditParameter.objects.select_related("region").order_by("region_id", "year")
    if request.user.region_id:
        rows = rows.filter(Q(region__isnull=True) | Q(region_id__in=_codes_around(request.user)))
    return render(request, "credit/parameter_list.html", {
        "rows": rows, "can_edit": request.user.can_administer,
        "current": parameters.resolve(request.user.region_id, timezone.localdate().year)})


def _codes_around(user):
    """The regions whose parameters apply to the account's region (above it) or that it sets (below it)."""
    return [*ancestor_codes(user.region_id), *Region.objects.visible_to(user).values_list("code", flat=True)]


def parameter_edit(request, pk=None):
    if not request.user.can_administer:
        raise PermissionDenied("只有系统管理员可以维护小额信贷参数")
    parameter = get_object_or_404(CreditParameter, pk=pk) if pk else CreditParameter()
    if pk is None and request.method == "GET":
        current = parameters.resolve(request.user.region_id, timezone.localdate().year)
        for field in CreditParameter._meta.concrete_fields:
            if field.name not in ("id", "region", "year", "updated"):
                setattr(parameter, field.name, getattr(current, field.name))
    form = ParameterForm(request.POST or None, instance=parameter, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            parameters.save_parameter(form.instance, acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已保存小额信贷参数")
            return redirect("credit:parameter_list")
    return render(request, "credit/parameter_form.html", {"form": form, "parameter": parameter})
