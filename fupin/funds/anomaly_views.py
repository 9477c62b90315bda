"""资金异常 pages: the anomaly list (filters, pagination, export), an anomaly with its answer form, check runs
with their progress, and the rules with the custom-rule form. Thin callers of ``checks``; every query is scoped."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from fupin.audit.services import history_for
from fupin.core.channels import Channel
from fupin.core.forms import add_errors
from fupin.core.search import redirect_for_search, search_params
from fupin.jobs import exports as job_exports

from .checks import access, explain
from .checks.answers import answer_anomaly
from .checks.exports import anomaly_export
from .checks.facts import FACTS, KEY
from .checks.filters import filter_anomalies
from .checks.forms import AnswerForm, RuleForm, RunForm
from .checks.rules import save_rule
from .checks.runs import start_check
from .models import Anomaly, AnomalyStatus, FundCheckRun, FundRule
from .panels import ANOMALY_PANELS

PAGE_SIZE = 50


def anomaly_list(request):
    if (response := redirect_for_search(request)) is not None:
        return response  # searches by ID number are posted and kept out of the URL
    queryset, form = filter_anomalies(Anomaly.objects.visible_to(request.user), search_params(request),
                                      user=request.user)
    queryset = queryset.select_related("rule", "region", "fund").order_by("region_id", "rule__code", "-last_seen", "id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for anomaly in page:
        anomaly.summary = explain.text(anomaly.figures)
    return render(request, "funds/anomaly_list.html", {
        "page": page, "form": form, "post_search": True, "can_run": access.can_run(request.user),
        "can_manage_rules": access.can_manage_rules(request.user)
    })


def anomaly_detail(request, pk):
    anomaly = get_object_or_404(
        Anomaly.objects.visible_to(request.user).select_related(
            "rule", "region", "fund", "allocation", "disbursement", "answered_by"), pk=pk)
    can_answer = access.can_answer(request.user, anomaly) and anomaly.status != AnomalyStatus.CLOSED
    initial = {"status": anomaly.status if anomaly.answered_at else None, "answer": anomaly.answer}
    form = AnswerForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_answer:
            raise PermissionDenied("当前账号不能答复该资金异常")
        if form.is_valid():
            try:
                answer_anomaly(anomaly, status=form.cleaned_data["status"], answer=form.cleaned_data["answer"],
                               acting_user=request.user, channel=Channel.PAGE)
            except (ValidationError, PermissionDenied) as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"核实结果已保存：{anomaly.get_status_display()}")
                return redirect("funds:anomaly_detail", pk=anomaly.pk)
    return render(request, "funds/anomaly_detail.html", {
        "anomaly": anomaly, "figures": explain.parts(anomaly.figures), "summary": explain.text(anomaly.figures),
        "form": form, "can_answer": can_answer, "region_name": anomaly.region.full_name(),
        "history": history_for(anomaly)[:50], "panels": ANOMALY_PANELS,
    })


def run_list(request):
    runs = FundCheckRun.objects.visible_to(request.user).select_related("region", "started_by")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    form = RunForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not access.can_run(request.user):
            raise PermissionDenied("当前账号没有发起资金异常检查的权限")
        if form.is_valid():
            try:
                run = start_check(year=form.cleaned_data["year"], region_code=form.cleaned_data["region"],
                                  acting_user=request.user, channel=Channel.PAGE)
            except (ValidationError, PermissionDenied) as exc:
                add_errors(form, exc)
            else:
                return redirect("funds:anomaly_run", pk=run.pk)
    return render(request, "funds/anomaly_runs.html", {"page": page, "form": form,
                                                       "can_run": access.can_run(request.user)})


def run_detail(request, pk):
    run = get_object_or_404(FundCheckRun.objects.visible_to(request.user).select_related("region", "started_by", "job"),
                            pk=pk)
    return render(request, "funds/anomaly_run.html", {"run": run, "job": run.job})


def rule_list(request):
    rules = FundRule.objects.order_by("-builtin", "code")
    facts = [f for f in FACTS if f.kind != KEY]
    return render(request, "funds/anomaly_rules.html", {
        "rules": rules, "facts": facts, "can_manage_rules": access.can_manage_rules(request.user)})


def rule_edit(request, pk=None):
    if not access.can_manage_rules(request.user):
        raise PermissionDenied("只有系统管理员可以维护资金异常规则")
    rule = get_object_or_404(FundRule, pk=pk) if pk else None
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            save_rule(rule, {name: form.cleaned_data[name] for name in form.fields}, acting_user=request.user,
                      channel=Channel.PAGE)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "规则已保存")
            return redirect("funds:anomaly_rules")
    return render(request, "funds/anomaly_rule_form.html", {
        "form": form, "rule": rule, "facts": [f for f in FACTS if f.kind != KEY]})


urlpatterns = [
    path("anomalies/", anomaly_list, name="anomaly_list"),
    path("anomalies/export/", job_exports.view(anomaly_export), name="anomaly_export"),
    path("anomalies/<int:pk>/", anomaly_detail, name="anomaly_detail"),
    path("anomalies/runs/", run_list, name="anomaly_runs"),
    path("anomalies/runs/<int:pk>/", run_detail, name="anomaly_run"),
    path("anomalies/rules/", rule_list, name="anomaly_rules"),
    path("anomalies/rules/new/", rule_edit, name="anomaly_rule_create"),
    path("anomalies/rules/<int:pk>/edit/", rule_edit, name="anomaly_rule_edit"),
]
