"""扶贫项目资产 pages: the list (filters, pagination, export, import), the asset's file (rights, beneficiaries,
income, distributions, maintenance, change requests, history) and its forms, and 移交 from a project. Thin callers
of ``services`` over ``visible_to()``."""

import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.audit.services import history_for
from fupin.core.channels import Channel
from fupin.core.forms import add_errors
from fupin.jobs import exports
from fupin.jobs import imports as import_jobs
from fupin.projects.models import Project
from fupin.registry.models import Household

from . import services
from .choices import RequestStatus
from .filters import filter_assets
from .forms import (
    AssetForm,
    ChangeForm,
    DecideForm,
    DistributionForm,
    HandoverForm,
    IncomeForm,
    MaintenanceForm,
    PlanForm,
)
from .imports import REQUIRED
from .jobs import IMPORT_KIND, asset_export
from .models import Asset, AssetBeneficiary, ChangeRequest, Distribution
from .tables import COLUMNS

PAGE_SIZE = 50
_SPLIT = re.compile(r"[\s,，、;；]+")


def _asset(request, pk) -> Asset:
    return get_object_or_404(Asset.objects.visible_to(request.user).select_related("region", "project"), pk=pk)


def _refusal(request, exc) -> None:
    for message in [str(exc)] if isinstance(exc, PermissionDenied) else exc.messages:
        messages.error(request, message)


def asset_list(request):
    queryset, form = filter_assets(Asset.objects.visible_to(request.user), request.GET)
    totals = queryset.aggregate(count=Count("id"), value=Sum("value"))
    queryset = queryset.select_related("region").annotate(
        pending=Count("changes", filter=Q(changes__status=RequestStatus.PENDING))).order_by("region_id", "-formed_on",
                                                                                             "id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assets/asset_list.html", {
        "page": page, "form": form, "totals": totals,
        "can_write": services.can_change(request.user, request.user.scope_prefix),
    })


def asset_detail(request, pk):
    asset = _asset(request, pk)
    year = timezone.localdate().year - 1
    incomes = list(asset.incomes.all())
    distributions = asset.distributions.select_related("household", "village")
    by_year = {}
    for income in incomes:
        by_year.setdefault(income.year, {"year": income.year, "income": 0, "distributed": 0})
        by_year[income.year]["income"] += income.amount
    for row in asset.distributions.values("year").annotate(total=Sum("amount")):
        by_year.setdefault(row["year"], {"year": row["year"], "income": 0, "distributed": 0})
        by_year[row["year"]]["distributed"] = row["total"]
    for row in by_year.values():
        row["left"] = row["income"] - row["distributed"]
    can_write = services.can_change(request.user, asset.region_id)
    changes = asset.changes.select_related("requested_by", "decided_by")
    return render(request, "assets/asset_detail.html", {
        "asset": asset,
        "beneficiaries": asset.beneficiaries.select_related("household", "household__village").order_by(
            "household__number"),
        "incomes": incomes, "years": sorted(by_year.values(), key=lambda r: -r["year"]),
        "distributions": distributions, "maintenances": asset.maintenances.all(), "changes": changes,
        "history": history_for(asset)[:200],
        "can_write": can_write and asset.status != "disposed",
        "can_approve": services.can_approve(request.user, asset.region_id),
        "income_form": IncomeForm(initial={"year": year}), "plan_form": PlanForm(initial={"year": year}),
        "distribution_form": DistributionForm(initial={"year": year}),
        "maintenance_form": MaintenanceForm(initial={"date": timezone.localdate()}),
        "change_form": ChangeForm(), "decide_form": DecideForm(initial={"decision": "approve"}),
    })


def _save(request, form, template, context, *, note=""):
    if request.method == "POST" and form.is_valid():
        try:
            asset = services.save_asset(form.instance, acting_user=request.user, channel=Channel.PAGE, note=note)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已保存资产“{asset.name}”")
            return redirect("assets:detail", pk=asset.pk)
    return render(request, template, {"form": form, **context})


def asset_create(request):
    services.ensure_can_change(request.user, request.user.scope_prefix)
    form = AssetForm(request.POST or None, user=request.user)
    return _save(request, form, "assets/asset_form.html", {"title": "登记资产"})


def asset_edit(request, pk):
    asset = _asset(request, pk)
    services.ensure_can_change(request.user, asset.region_id)
    form = AssetForm(request.POST or None, instance=asset, user=request.user)
    return _save(request, form, "assets/asset_form.html", {"title": f"修改资产：{asset.name}", "asset": asset})


def handover(request, project_pk):
    """移交为资产: the project panel's form posts here; a GET shows the whole form filled from the project."""
    project = get_object_or_404(Project.objects.visible_to(request.user).select_related("region"), pk=project_pk)
    services.ensure_can_change(request.user, project.region_id)
    initial = services.handover_initial(project)
    form = HandoverForm(request.POST or None, initial=initial, instance=Asset(region=project.region),
                        user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            asset = services.handover(project, form.instance, acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"项目已移交为资产“{asset.name}”")
            return redirect("assets:detail", pk=asset.pk)
    return render(request, "assets/asset_form.html", {"form": form, "title": f"移交为资产：{project.name}",
                                                      "project": project})


def _action(request, asset, do, success: str):
    """Run a write from one of the detail page's forms and go back to the page with its outcome."""
    try:
        do()
    except (PermissionDenied, ValidationError) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, success)
    return redirect(reverse("assets:detail", args=[asset.pk]))


def _form_refused(request, asset, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)
    return redirect("assets:detail", pk=asset.pk)


@require_POST
def income_add(request, pk):
    asset = _asset(request, pk)
    form = IncomeForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, asset, form)
    form.instance.asset = asset
    return _action(request, asset, lambda: services.record_income(form.instance, acting_user=request.user,
                                                                   channel=Channel.PAGE), "已登记收益")


def parse_lines(asset, text: str, reason: str, user) -> list[services.Share]:
    """``户编号 金额 [事由]`` per line → shares; unknown or out-of-scope households are a field error."""
    shares, errors = [], []
    for number, line in enumerate(text.splitlines(), 1):
        parts = [p for p in _SPLIT.split(line.strip(), maxsplit=2) if p]
        if not parts:
            continue
        if len(parts) < 2:
            errors.append(f"第{number}行：应为“户编号 金额 [事由]”")
            continue
        household = Household.objects.visible_to(user).filter(number=parts[0]).first()
        if household is None:
            errors.append(f"第{number}行：户编号“{parts[0]}”不存在或不在管辖范围内")
            continue
        try:
            amount = Decimal(parts[1])
        except InvalidOperation:
            errors.append(f"第{number}行：金额“{parts[1]}”不是数字")
            continue
        shares.append(services.Share(household, amount, parts[2] if len(parts) > 2 else reason))
    if errors:
        raise ValidationError(errors)
    return shares


@require_POST
def distribute(request, pk):
    asset = _asset(request, pk)
    form = DistributionForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, asset, form)
    data = form.cleaned_data

    def do():
        shares = parse_lines(asset, data["lines"], data["reason"], request.user)
        services.distribute(asset, data["year"], shares, acting_user=request.user, channel=Channel.PAGE,
                            paid_on=data["paid_on"])

    return _action(request, asset, do, "已登记收益分配")


@require_POST
def apply_plan(request, pk):
    asset = _asset(request, pk)
    form = PlanForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, asset, form)
    year = form.cleaned_data["year"]
    try:
        outcome = services.apply_plan(asset, year, acting_user=request.user, channel=Channel.PAGE)
    except (PermissionDenied, ValidationError) as exc:
        _refusal(request, exc)
    else:
        if outcome.shares:
            messages.success(request, f"已按方案分配{year}年收益：{len(outcome.shares)}户，共{outcome.pool:,.2f}元")
        else:
            messages.warning(request, f"{year}年未分配：{outcome.reason}")
    return redirect("assets:detail", pk=asset.pk)


@require_POST
def maintenance_add(request, pk):
    asset = _asset(request, pk)
    form = MaintenanceForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, asset, form)
    form.instance.asset = asset
    return _action(request, asset, lambda: services.record_maintenance(form.instance, acting_user=request.user,
                                                                        channel=Channel.PAGE), "已登记管护记录")


@require_POST
def beneficiary_add(request, pk):
    asset = _asset(request, pk)
    numbers = [n for n in _SPLIT.split(request.POST.get("numbers", "")) if n]
    found = list(Household.objects.visible_to(request.user).filter(number__in=numbers))
    missing = sorted(set(numbers) - {h.number for h in found})
    if missing or not numbers:
        messages.error(request, f"户编号不存在或不在管辖范围内：{'、'.join(missing)}" if missing else "请填写户编号")
        return redirect("assets:detail", pk=asset.pk)
    return _action(request, asset, lambda: services.add_beneficiaries(asset, found, acting_user=request.user,
                                                                       channel=Channel.PAGE), "已添加受益户")


@require_POST
def beneficiary_remove(request, pk, row_pk):
    asset = _asset(request, pk)
    row = get_object_or_404(AssetBeneficiary.objects.visible_to(request.user), pk=row_pk, asset=asset)
    return _action(request, asset, lambda: services.remove_beneficiary(row, acting_user=request.user,
                                                                        channel=Channel.PAGE), "已移出受益户")


@require_POST
def change_request(request, pk):
    asset = _asset(request, pk)
    form = ChangeForm(request.POST, instance=ChangeRequest(asset=asset))
    if not form.is_valid():
        return _form_refused(request, asset, form)
    return _action(request, asset, lambda: services.request_change(form.instance, acting_user=request.user,
                                                                    channel=Channel.PAGE), "已提交申请，待县级审批")


@require_POST
def change_decide(request, pk, change_pk):
    asset = _asset(request, pk)
    change = get_object_or_404(ChangeRequest.objects.visible_to(request.user), pk=change_pk, asset=asset)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, asset, form)
    approve = form.cleaned_data["decision"] == "approve"
    return _action(request, asset, lambda: services.decide(
        change, approve=approve, opinion=form.cleaned_data["opinion"], acting_user=request.user,
        channel=Channel.PAGE), "已批准" if approve else "已驳回")


def distribution_list(request):
    """收益分配台账: every household's asset-income rows in the user's scope, by year."""
    queryset = Distribution.objects.visible_to(request.user).select_related("asset", "household", "village")
    year = request.GET.get("year", "")
    if year.isdigit():
        queryset = queryset.filter(year=int(year))
    page = Paginator(queryset.order_by("-year", "village_id", "household__number", "id"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "assets/distribution_list.html", {"page": page, "year": year})


asset_export_view = exports.view(asset_export)


def asset_import(request):
    services.ensure_can_change(request.user, request.user.scope_prefix)
    read = [c for c in COLUMNS if c.field not in ("id", "status", "project__name") and c.region_level is None]
    columns = [[c.header, "必填" if c.header in REQUIRED else "", c.help,
                "、".join(str(v) for v in c.choices.values() if v) if c.choices else ""] for c in read]
    return import_jobs.page(
        request, kind=IMPORT_KIND, title="导入扶贫项目资产",
        intro="每行一项资产，全部校验通过后一次写入。导出的资产表可作为模板（状态、来源项目等列导入时忽略）。",
        template_url=f"{reverse('assets:export')}?full=0", template_name="导出当前资产作为模板",
        columns=columns, back_url=reverse("assets:list"),
    )
