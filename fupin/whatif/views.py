"""政策模拟 pages: scenarios, their changes (with the live value and its source), the run with its progress, the
result per township with a chart, the household change list (filters, pagination, Excel) and the adoption
confirmation. Thin callers of ``services``; every query starts from ``visible_to(user)``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fupin.core.channels import Channel
from fupin.core.forms import add_errors
from fupin.jobs import exports
from fupin.monitoring.models import Family, Rule
from fupin.monitoring.services import default_year
from fupin.regions.models import Level, Region
from fupin.sectors.choices import Figure

from . import changes, services
from .access import may_write
from .filters import filter_households
from .forms import ChangeForm, ScenarioForm
from .jobs import household_export
from .models import Scenario, ScenarioChange, ScenarioChangeKind, ScenarioHousehold, ScenarioStatus

PAGE_SIZE = 50
PAGE = Channel.PAGE


def _scenario(request, pk) -> Scenario:
    return get_object_or_404(Scenario.objects.visible_to(request.user).select_related("county", "created_by", "job"),
                             pk=pk)


def _refusal(request, exc) -> None:
    messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))


def scenario_list(request):
    queryset = Scenario.objects.visible_to(request.user).select_related("county", "created_by")
    page = Paginator(queryset.order_by("-year", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "whatif/scenario_list.html", {"page": page, "can_write": may_write(request.user)})


def scenario_edit(request, pk=None):
    scenario = _scenario(request, pk) if pk else Scenario(year=default_year())
    form = ScenarioForm(request.POST or None, instance=scenario)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.save_scenario(form.save(commit=False), acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已保存模拟方案：{scenario.name}")
            return redirect("whatif:scenario_detail", pk=scenario.pk)
    title = f"修改模拟方案 · {scenario.name}" if scenario.pk else "新建模拟方案"
    return render(request, "whatif/form.html", {"form": form, "title": title, "scenario": scenario if pk else None})


def scenario_detail(request, pk):
    scenario = _scenario(request, pk)
    return render(request, "whatif/scenario_detail.html", {
        "scenario": scenario, "rows": services.change_rows(scenario), "job": scenario.job,
        "can_write": may_write(request.user), "summary": services.summary_text(scenario) if scenario.ran_at else "",
    })


@require_POST
def scenario_delete(request, pk):
    scenario = _scenario(request, pk)
    try:
        services.delete_scenario(scenario, acting_user=request.user, channel=PAGE)
    except (PermissionDenied, ValidationError) as exc:
        _refusal(request, exc)
        return redirect("whatif:scenario_detail", pk=scenario.pk)
    messages.success(request, f"已删除模拟方案：{scenario.name}")
    return redirect("whatif:scenario_list")


def _reference(scenario: Scenario) -> list[dict]:
    """Every item a change may name, with the county's live value and its source (the form's reference table)."""
    items = [ScenarioChange(kind=ScenarioChangeKind.POVERTY_LINE), ScenarioChange(kind=ScenarioChangeKind.MONITORING_LINE)]
    items += [ScenarioChange(kind=ScenarioChangeKind.PARAMETER, target=code) for code, _n in changes.target_choices(
        ScenarioChangeKind.PARAMETER)]
    items += [ScenarioChange(kind=ScenarioChangeKind.FIGURE, target=code) for code in Figure.values]
    rules = Rule.objects.filter(family=Family.MONITORING).values_list("code", flat=True).distinct().order_by("code")
    items += [ScenarioChange(kind=ScenarioChangeKind.RULE, target=code) for code in rules]
    return [{"label": changes.label(item), "unit": changes.unit(item),
             "live": changes.live(item, scenario.county_id, scenario.year)} for item in items]


def change_edit(request, pk):
    """``pk`` is the scenario's on the create route, the change's on the edit route."""
    if request.resolver_match.url_name == "change_create":
        scenario = _scenario(request, pk)
        change = ScenarioChange(scenario=scenario)
    else:
        change = get_object_or_404(ScenarioChange.objects.visible_to(request.user).select_related("scenario"), pk=pk)
        scenario = change.scenario
    form = ChangeForm(request.POST or None, instance=change)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_change(form.save(commit=False), acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已保存调整：{changes.label(change)}")
            return redirect("whatif:scenario_detail", pk=scenario.pk)
    return render(request, "whatif/change_form.html", {
        "form": form, "scenario": scenario, "change": change, "reference": _reference(scenario),
        "title": f"{'修改' if change.pk else '添加'}调整项 · {scenario.name}",
    })


@require_POST
def change_delete(request, pk):
    change = get_object_or_404(ScenarioChange.objects.visible_to(request.user).select_related("scenario"), pk=pk)
    try:
        services.delete_change(change, acting_user=request.user, channel=PAGE)
    except (PermissionDenied, ValidationError) as exc:
        _refusal(request, exc)
    return redirect("whatif:scenario_detail", pk=change.scenario_id)


@require_POST
def scenario_run(request, pk):
    scenario = _scenario(request, pk)
    try:
        services.start_run(scenario, acting_user=request.user, channel=PAGE)
    except (PermissionDenied, ValidationError) as exc:
        _refusal(request, exc)
    else:
        messages.info(request, "模拟已提交后台运行，完成后可查看测算结果")
    return redirect("whatif:scenario_detail", pk=scenario.pk)


def _chart(townships) -> list[dict]:
    return [{"name": t["name"], "enter": t["enter"], "leave": t["leave"], "exit_pass": t["exit_pass"],
             "exit_fail": t["exit_fail"], "dibao": t["dibao_households"]} for t in townships]


def result(request, pk):
    scenario = _scenario(request, pk)
    townships = scenario.result.get("townships", [])
    return render(request, "whatif/result.html", {
        "scenario": scenario, "townships": townships, "totals": scenario.result.get("totals", {}),
        "costs": scenario.result.get("costs", []), "lines": scenario.result.get("lines", {}),
        "warnings": scenario.result.get("warnings", []), "chart": _chart(townships),
        "summary": services.summary_text(scenario) if scenario.ran_at else "",
    })


def household_list(request, pk):
    scenario = _scenario(request, pk)
    queryset = (ScenarioHousehold.objects.visible_to(request.user).filter(scenario=scenario)
                .select_related("household", "village__parent"))
    queryset, form = filter_households(queryset, request.GET)
    page = Paginator(queryset.order_by("village_id", "outcome", "household_id"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    regions = (Region.objects.visible_to(request.user).filter(code__startswith=scenario.county.prefix,
                                                              level__in=[Level.TOWNSHIP, Level.VILLAGE])
               .order_by("code").values_list("code", "name"))
    return render(request, "whatif/household_list.html", {
        "scenario": scenario, "page": page, "form": form, "region_codes": regions[:2000],
        "export_url": reverse("whatif:household_export", args=[scenario.pk]),
    })


def household_export_view(request, pk):
    scenario = _scenario(request, pk)
    request.GET = request.GET.copy()
    request.GET["scenario"] = str(scenario.pk)
    return exports.respond(request, household_export)


def adopt(request, pk):
    scenario = _scenario(request, pk)
    if request.method == "POST":
        try:
            services.adopt(scenario, acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            _refusal(request, exc)
            return redirect("whatif:adopt", pk=scenario.pk)
        messages.success(request, f"已采纳模拟方案“{scenario.name}”，现行配置已更新并记入操作日志")
        return redirect("whatif:scenario_detail", pk=scenario.pk)
    ready = scenario.status == ScenarioStatus.DONE and not scenario.changed_since_run
    return render(request, "whatif/adopt.html", {
        "scenario": scenario, "rows": services.change_rows(scenario), "ready": ready,
        "stale": services.stale_changes(scenario) if ready else [],
        "summary": services.summary_text(scenario) if scenario.ran_at else "",
    })
