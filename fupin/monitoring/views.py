"""Monitoring pages: thin callers of monitoring.services over querysets scoped with visible_to()."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.audit.models import Channel
from fupin.core import throttle
from fupin.core.forms import add_errors
from fupin.core.redirects import safe_next
from fupin.dictionaries.services import labels
from fupin.regions.models import Level, Region, region_prefix
from fupin.registry.models import Household

from . import corrections, engine, explain, jobs, planning, services, stats, tables
from .filters import filter_alerts, filter_monitored
from .forms import (
    DismissForm,
    EliminationForm,
    EventForm,
    InclusionForm,
    IncomeCheckForm,
    LeadForm,
    MonitoredForm,
    ParameterForm,
    ReflagForm,
    RollbackForm,
    RuleForm,
    RunForm,
    SelfReportForm,
)
from .models import (
    MONITORING_KINDS,
    REFLAG,
    ROLLBACK,
    Alert,
    Family,
    Finding,
    IncomeCheck,
    MonitoredHousehold,
    MonitoredStatus,
    Parameter,
    RiskEvent,
    Rule,
    Run,
)
from .panels import FINDING_ACTIONS, MONITORED_PANELS

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(table, queryset, filename) -> HttpResponse:
    buffer = io.BytesIO()
    table.write(queryset, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}-{timezone.localdate():%Y%m%d}.xlsx"
    return response


# --- overview and runs -----------------------------------------------------------------------------------------

def overview(request):
    return render(request, "monitoring/overview.html", {"stats": stats.overview(request.user)})


def run_list(request):
    runs = Run.objects.visible_to(request.user).select_related("region", "user")
    form = RunForm(request.POST or None, user=request.user, initial={"year": services.default_year()})
    if request.method == "POST" and form.is_valid():
        family = request.POST.get("family", Family.MONITORING)
        try:
            job = jobs.start_run(family, form.cleaned_data["region"], form.cleaned_data["year"],
                                     acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已提交后台任务：{job.title}")
            return redirect("jobs:detail", pk=job.pk)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/run_list.html", {"page": page, "form": form})


# --- alerts ------------------------------------------------------------------------------------------------------

def _alerts(request):
    queryset = Alert.objects.visible_to(request.user).select_related("household", "village")
    return filter_alerts(queryset, request.GET)


def alert_list(request):
    services.sync_procedure_outcomes(acting_user=request.user, channel=Channel.PAGE,
                                     alerts=Alert.objects.visible_to(request.user))
    queryset, form = _alerts(request)
    page = Paginator(queryset.order_by("-severity", "due", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/alert_list.html", {"page": page, "form": form, "names": explain.rule_names(),
                                                          "household_types": labels("household_type")})


def alert_export(request):
    queryset, _form = _alerts(request)
    return _xlsx(tables.alerts, queryset, "预警核实")


def alert_detail(request, pk):
    alert = get_object_or_404(Alert.objects.visible_to(request.user).select_related("household", "village",
                                                                                    "procedure"), pk=pk)
    dismiss_form = DismissForm(prefix="dismiss")
    include_form = InclusionForm(prefix="include", household=alert.household)
    if request.method == "POST":
        action = request.POST.get("action")
        form = dismiss_form = DismissForm(request.POST, prefix="dismiss") if action == "dismiss" else dismiss_form
        if action == "include":
            form = include_form = InclusionForm(request.POST, prefix="include", household=alert.household)
        if action in ("dismiss", "include") and form.is_valid():
            data = form.cleaned_data
            try:
                if action == "dismiss":
                    services.dismiss_alert(alert, reason=data["reason"], acting_user=request.user,
                                           channel=Channel.PAGE)
                    messages.success(request, "已核实：无返贫致贫风险，预警已办结")
                else:
                    services.start_inclusion(alert, kind=data["kind"], risks=data["risks"], reason=data["reason"],
                                             acting_user=request.user, channel=Channel.PAGE)
                    messages.success(request, "已发起监测对象认定程序")
            except (PermissionDenied, ValidationError) as exc:
                add_errors(form, exc)
            else:
                return redirect("monitoring:alert_detail", pk=alert.pk)
    household = alert.household
    context = {
        "alert": alert, "household": household, "explanation": explain.explain(alert.figures),
        "dismiss_form": dismiss_form, "include_form": include_form,
        "events": RiskEvent.objects.filter(household=household)[:20],
        "accounts": household.income_accounts.all()[:3],
        "history": Alert.objects.filter(household=household).exclude(pk=alert.pk)[:10],
        "can_verify": _can_verify(request.user, alert.village_id),
    }
    return render(request, "monitoring/alert_detail.html", context)


def _can_verify(user, village_code) -> bool:
    try:
        services.ensure_can_verify(user, village_code)
    except PermissionDenied:
        return False
    return True


def lead_create(request):
    form = LeadForm(request.POST or None, initial={"household_number": request.GET.get("household", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = Household.objects.visible_to(request.user).filter(number=data["household_number"].strip()).first()
        if household is None:
            form.add_error("household_number", "户编号不存在或不在当前账号的管辖范围内")
        else:
            try:
                alert = services.create_lead(household, source=data["source"], description=data["description"],
                                             reporter=data["reporter"], contact=data["contact"],
                                             acting_user=request.user, channel=Channel.PAGE)
            except (PermissionDenied, ValidationError) as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "线索已登记，进入预警核实队列")
                return redirect("monitoring:alert_detail", pk=alert.pk)
    return render(request, "monitoring/lead_form.html", {"form": form})


# --- monitored households ---------------------------------------------------------------------------------------

def _monitored(request):
    queryset = MonitoredHousehold.objects.visible_to(request.user).select_related("household", "village")
    return filter_monitored(queryset, request.GET)


def monitored_list(request):
    queryset, form = _monitored(request)
    page = Paginator(queryset.order_by("village_id", "household__number"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/monitored_list.html", {"page": page, "form": form})


def monitored_export(request):
    queryset, _form = _monitored(request)
    return _xlsx(tables.monitored, queryset, "监测对象")


def _monitored_object(request, pk) -> MonitoredHousehold:
    return get_object_or_404(
        MonitoredHousehold.objects.visible_to(request.user).select_related("household", "village"), pk=pk
    )


# The corrections of an elimination offered on an eliminated record's page: action → (kind, form, start).
CORRECTIONS = {
    "reflag": (REFLAG, ReflagForm, lambda m, data, **kw: corrections.start_reflag(
        m, kind=data["kind"], risks=data["risks"], reason=data["reason"], **kw)),
    "rollback": (ROLLBACK, RollbackForm, lambda m, data, **kw: corrections.start_rollback(
        m, reason=data["reason"], **kw)),
}


def _correction_forms(request, monitored):
    """The 风险再标注 / 风险消除回退 forms this account may use on this record, and a redirect once one started."""
    found = {}
    for action, (kind, form_class, start) in CORRECTIONS.items():
        if not corrections.may_start(request.user, kind, monitored):
            continue
        posted = request.method == "POST" and request.POST.get("action") == action
        form = form_class(request.POST if posted else None, prefix=action, initial={"kind": monitored.kind})
        if posted and form.is_valid():
            try:
                procedure = start(monitored, form.cleaned_data, acting_user=request.user, channel=Channel.PAGE)
            except (PermissionDenied, ValidationError) as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已发起{procedure}")
                return found, redirect("procedures:detail", pk=procedure.pk)
        found[action] = form
    return found, None


def monitored_detail(request, pk):
    monitored = _monitored_object(request, pk)
    correction_forms, started = _correction_forms(request, monitored)
    if started is not None:
        return started
    household = monitored.household
    year = services.default_year()
    edit_form = MonitoredForm(request.POST or None, prefix="edit", initial={
        "risks": monitored.risk_codes, "no_work_capacity": monitored.no_work_capacity, "note": monitored.note})
    elimination_form = EliminationForm(prefix="eliminate")
    income_form = IncomeCheckForm(prefix="income")
    if request.method == "POST" and request.POST.get("action") == "income":
        income_form = IncomeCheckForm(request.POST, prefix="income", instance=IncomeCheck(household=household))
        if income_form.is_valid():
            try:
                services.record_income_check(income_form.instance, acting_user=request.user, channel=Channel.PAGE)
            except (PermissionDenied, ValidationError) as exc:
                add_errors(income_form, exc)
            else:
                messages.success(request, "已登记收入核查")
                return redirect("monitoring:monitored_detail", pk=pk)
    if request.method == "POST" and request.POST.get("action") == "edit" and edit_form.is_valid():
        monitored.risks = ",".join(edit_form.cleaned_data["risks"])
        monitored.no_work_capacity = edit_form.cleaned_data["no_work_capacity"]
        monitored.note = edit_form.cleaned_data["note"]
        try:
            services.update_monitored(monitored, acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(edit_form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("monitoring:monitored_detail", pk=pk)
    if request.method == "POST" and request.POST.get("action") == "eliminate":
        elimination_form = EliminationForm(request.POST, prefix="eliminate")
        if elimination_form.is_valid():
            try:
                procedure = services.start_elimination(
                    monitored, method=elimination_form.cleaned_data["method"],
                    reason=elimination_form.cleaned_data["reason"], acting_user=request.user, channel=Channel.PAGE)
            except (PermissionDenied, ValidationError) as exc:
                add_errors(elimination_form, exc)
            else:
                messages.success(request, f"已发起{procedure}")
                return redirect("monitoring:monitored_detail", pk=pk)
    facts = planning.household_facts(household, year)
    context = {
        "monitored": monitored, "household": household, "year": year,
        "facts": [(engine.FACT_NAMES[name].label, facts.get(name)) for name in (
            "per_capita_income", "per_capita_income_last", "income_change_pct", "monitoring_line",
            "medical_out_of_pocket", "security_unmet", "able_to_work")],
        "panels": MONITORED_PANELS,
        "events": RiskEvent.objects.filter(household=household)[:20],
        "history": MonitoredHousehold.objects.filter(household=household).exclude(pk=pk),
        "procedures": household.procedures.filter(kind__in=MONITORING_KINDS).order_by("-created"),
        "edit_form": edit_form, "elimination_form": elimination_form, "income_form": income_form,
        "income_checks": IncomeCheck.objects.filter(household=household)[:24],
        "can_verify": _can_verify(request.user, monitored.village_id),
        "is_open": monitored.status == MonitoredStatus.MONITORING,
        "reflag_form": correction_forms.get("reflag"), "rollback_form": correction_forms.get("rollback"),
    }
    return render(request, "monitoring/monitored_detail.html", context)


def event_create(request, household_pk):
    household = get_object_or_404(Household.objects.visible_to(request.user), pk=household_pk)
    form = EventForm(request.POST or None, instance=RiskEvent(household=household))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_event(form.save(commit=False), acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "风险事件已登记，下次监测预警运行时纳入研判")
            return redirect(safe_next(request, request.GET.get("next")) or "monitoring:alert_list")
    return render(request, "monitoring/event_form.html", {"form": form, "household": household})


# --- rules and parameters ---------------------------------------------------------------------------------------

def _require_admin(user):
    if not user.can_administer:
        raise PermissionDenied("只有系统管理员可以维护监测规则和参数")


def rule_list(request):
    rules = Rule.objects.select_related("region").order_by("family", "code", "region")
    parameters = Parameter.objects.select_related("region").order_by("code", "region", "year")
    return render(request, "monitoring/rule_list.html", {
        "rules": rules, "parameters": parameters, "facts": engine.FACTS,
        "can_edit": request.user.can_administer,
    })


def rule_edit(request, pk=None):
    _require_admin(request.user)
    rule = get_object_or_404(Rule, pk=pk) if pk else Rule()
    if rule.pk and request.method == "GET" and "override" in request.GET:
        rule = services.override_rule(rule, request.user.region)
    form = RuleForm(request.POST or None, instance=rule, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_rule(form.save(commit=False), acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"规则 {saved} 已保存")
            return redirect("monitoring:rule_list")
    return render(request, "monitoring/rule_form.html", {"form": form, "rule": rule, "facts": engine.FACTS})


def parameter_edit(request, pk=None):
    _require_admin(request.user)
    parameter = get_object_or_404(Parameter, pk=pk) if pk else Parameter()
    if parameter.pk and request.method == "GET" and "override" in request.GET:
        parameter = Parameter(code=parameter.code, name=parameter.name, unit=parameter.unit, value=parameter.value,
                              note=parameter.note, year=parameter.year, region=request.user.region)
    form = ParameterForm(request.POST or None, instance=parameter, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_parameter(form.save(commit=False), acting_user=request.user, channel=Channel.PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"参数 {saved} 已保存")
            return redirect("monitoring:rule_list")
    return render(request, "monitoring/parameter_form.html", {"form": form, "parameter": parameter})


# --- data-quality checks ------------------------------------------------------------------------------------------

def _findings(request):
    queryset = Finding.objects.visible_to(request.user).filter(fixed__isnull=True).select_related(
        "household", "village", "rule")
    region = request.GET.get("region", "").strip()
    if region:
        queryset = queryset.in_region(region_prefix(region))
    if request.GET.get("rule"):
        queryset = queryset.filter(rule__code=request.GET["rule"].strip().upper())
    return queryset


def quality_list(request):
    queryset = _findings(request).order_by("village_id", "household__number", "rule__code")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    villages = Region.objects.visible_to(request.user).filter(level=Level.VILLAGE).order_by("code")
    return render(request, "monitoring/quality_list.html", {
        "page": page, "villages": villages[:500], "region": request.GET.get("region", ""),
        "rules": Rule.objects.filter(family=Family.QUALITY, region__isnull=True).order_by("code"),
        "rule": request.GET.get("rule", ""), "finding_actions": FINDING_ACTIONS,
    })


def quality_export(request):
    return _xlsx(tables.findings, _findings(request), "逻辑校验问题")


@require_POST
def quality_recheck(request):
    village = get_object_or_404(Region.objects.visible_to(request.user), code=request.POST.get("region"),
                                level=Level.VILLAGE)
    try:
        record = services.recheck_village(village, acting_user=request.user, channel=Channel.PAGE)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{village.name}已重新校验：新发现 {record.opened} 条，已整改 {record.closed} 条")
    return redirect(f"{reverse('monitoring:quality_list')}?region={village.code}")


# --- public self-report --------------------------------------------------------------------------------------------

def self_report(request):
    """农户自主申报: a public page (no login) where a household reports a difficulty to its village."""
    if request.method == "POST" and (refused := throttle.refused(
            request, self_report_ip=throttle.client_ip(request),
            self_report_household=request.POST.get("household_number", "").strip())):
        return refused
    form = SelfReportForm(request.POST or None)
    done = None
    if request.method == "POST" and form.is_valid():
        try:
            alert = services.self_report(**form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            done = "已收到您的申报，村里将在几天内入户核实，请保持电话畅通。" if alert is not None else (
                "您家已是防返贫监测户，帮扶责任人会与您联系；如有新的困难也可直接告诉帮扶责任人。")
            form = SelfReportForm()
    return render(request, "monitoring/self_report.html", {"form": form, "done": done})

