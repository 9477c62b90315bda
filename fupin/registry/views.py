"""Registry pages: thin callers of registry.services over querysets scoped with visible_to()."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fupin.audit.services import history_for
from fupin.core.channels import Channel
from fupin.core.forms import add_errors
from fupin.core.search import redirect_for_search, search_params
from fupin.dictionaries.services import labels

from . import services
from .filters import filter_duplicate_reports, filter_households, filter_members
from .forms import HeadMemberForm, HouseholdForm, IncomeAccountForm, MemberForm, RemoveMemberForm, SecurityCheckForm
from .models import (
    HOUSEHOLD_CODED_FIELDS,
    MEMBER_CODED_FIELDS,
    MULTI_CODED_FIELDS,
    DuplicateIdReport,
    Household,
    Member,
)
from .panels import DASHBOARD_PANELS, HOUSEHOLD_PANELS

PAGE_SIZE = 50


def code_labels() -> dict[str, dict[str, str]]:
    """Field name → {code: label} for every coded field, for templates."""
    fields = {**HOUSEHOLD_CODED_FIELDS, **MEMBER_CODED_FIELDS, **MULTI_CODED_FIELDS, "house_grade": "house_grade"}
    return {field: labels(kind) for field, kind in fields.items()}


def _household(request, pk) -> Household:
    # Out-of-scope households answer 404, so a URL reveals nothing about other villages.
    return get_object_or_404(Household.objects.visible_to(request.user).select_related("village"), pk=pk)


def household_list(request):
    if (response := redirect_for_search(request)) is not None:
        return response  # searches by ID number are posted and kept out of the URL
    params = search_params(request)
    queryset, form = filter_households(Household.objects.visible_to(request.user), params, user=request.user)
    queryset = queryset.select_related("village").order_by("number")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/household_list.html", {"page": page, "form": form, "L": code_labels()})


def household_detail(request, pk):
    household = _household(request, pk)
    members = household.members.order_by("-active", "relation", "birth_date")
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": members,
            "accounts": household.income_accounts.all(),
            "checks": household.security_checks.all(),
            "history": history_for(household)[:200],
            "L": code_labels(),
            "can_write": _can_write(request.user, household.village_id),
            "panels": HOUSEHOLD_PANELS,
        },
    )


def _can_write(user, code) -> bool:
    try:
        services.ensure_can_write(user, code)
    except PermissionDenied:
        return False
    return True


def household_create(request):
    form = HouseholdForm(request.POST or None, acting_user=request.user)
    head_form = HeadMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and head_form.is_valid():
        try:
            household = services.create_household(
                form.save(commit=False), [head_form.save()], acting_user=request.user, channel=Channel.PAGE
            )
        except (ValidationError, PermissionDenied) as exc:
            head_errors = {}
            if isinstance(exc, ValidationError) and "id_number" in exc.message_dict:
                head_errors = exc.message_dict
            add_errors(head_form if head_errors else form, exc)
        else:
            messages.success(request, f"已建档：{household}")
            _warn(request, household)
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "head_form": head_form})


def household_edit(request, pk):
    household = _household(request, pk)
    form = HouseholdForm(request.POST or None, instance=household, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_household(form.save(commit=False), acting_user=request.user, channel=Channel.PAGE)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已保存")
            _warn(request, household)
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "household": household})


def _warn(request, household: Household) -> None:
    for warning in services.household_warnings(household).values():
        messages.warning(request, warning)


@require_POST
def household_delete(request, pk):
    household = _household(request, pk)
    try:
        services.delete_household(household, acting_user=request.user, channel=Channel.PAGE)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("registry:household_detail", pk=household.pk)
    messages.success(request, f"已删除：{household}")
    return redirect("registry:household_list")


def member_edit(request, pk, member_pk=None):
    household = _household(request, pk)
    member = get_object_or_404(household.members, pk=member_pk) if member_pk else Member(household=household)
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_member(form.save(commit=False), acting_user=request.user, channel=Channel.PAGE)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"成员 {member.name} 已保存")
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/member_form.html", {"form": form, "household": household, "member": member})


def member_remove(request, pk, member_pk):
    household = _household(request, pk)
    member = get_object_or_404(household.members, pk=member_pk, active=True)
    form = RemoveMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.remove_member(member, form.cleaned_data["reason"], acting_user=request.user, channel=Channel.PAGE)
        messages.success(request, f"{member.name} 已减员（{form.cleaned_data['reason']}）")
        return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/member_remove.html", {"form": form, "household": household, "member": member})


@require_POST
def member_reveal(request, member_pk):
    """htmx: swap the masked number for the full one; the look is logged."""
    member = get_object_or_404(Member.objects.visible_to(request.user).select_related("household"), pk=member_pk)
    number = services.reveal_id_number(member, acting_user=request.user, channel=Channel.PAGE)
    return HttpResponse(f'<span class="id-number" data-testid="full-id">{number}</span>')


def _yearly_edit(request, pk, year, form_class, related_name, save, template):
    household = _household(request, pk)
    related = getattr(household, related_name)
    instance = get_object_or_404(related, year=year) if year else related.model(household=household)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                save(form.save(commit=False), acting_user=request.user, channel=Channel.PAGE)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, template, {"form": form, "household": household, "object": instance})


def income_edit(request, pk, year=None):
    return _yearly_edit(
        request, pk, year, IncomeAccountForm, "income_accounts", services.save_income_account, "registry/income_form.html"
    )


def check_edit(request, pk, year=None):
    return _yearly_edit(
        request, pk, year, SecurityCheckForm, "security_checks", services.save_security_check, "registry/check_form.html"
    )


def member_list(request):
    if (response := redirect_for_search(request)) is not None:
        return response
    params = search_params(request)
    queryset, form = filter_members(Member.objects.visible_to(request.user), params, user=request.user)
    queryset = queryset.select_related("household__village").order_by("household__number", "relation")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/member_list.html", {"page": page, "form": form, "L": code_labels()})


def dashboard(request):
    open_reports = DuplicateIdReport.objects.visible_to(request.user).filter(status=DuplicateIdReport.Status.OPEN)
    return render(request, "registry/dashboard.html", {
        "open_duplicate_reports": open_reports.count(), "panels": DASHBOARD_PANELS,
    })


def duplicate_report_list(request):
    """重复登记报告 for the level that covers both villages; the village that tried never sees them."""
    queryset, form = filter_duplicate_reports(DuplicateIdReport.objects.visible_to(request.user), request.GET)
    queryset = queryset.select_related("village", "existing_village", "existing_household", "member")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/duplicate_report_list.html", {
        "page": page, "form": form, "can_resolve": services.is_registry_writer(request.user),
    })


@require_POST
def duplicate_report_resolve(request, pk):
    report = get_object_or_404(DuplicateIdReport.objects.visible_to(request.user), pk=pk)
    try:
        services.resolve_duplicate_report(report, request.POST.get("resolution", ""), acting_user=request.user,
                                          channel=Channel.PAGE)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, f"{report}已处理")
    return redirect("registry:duplicate_report_list")
