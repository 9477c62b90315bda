"""政策模拟 actions: scenarios and their changes, the run (a background job over the sandbox), and adoption.

County accounts only (``access``). Every write is audited inside its transaction; a run writes only the
scenario's own result rows (the sandbox reads the live data in a read-only snapshot), and adoption writes the live
configuration only through the owning apps' services, refusing when a live value moved since the run.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fupin.audit.models import Action
from fupin.audit.services import append, build_entry, record_change, snapshot
from fupin.core import bulkload
from fupin.core.scope import in_scope
from fupin.jobs import services as jobs
from fupin.jobs.models import Job

from . import changes, sandbox
from .access import county_of, may_write
from .models import Scenario, ScenarioChange, ScenarioChangeKind, ScenarioHousehold, ScenarioStatus

RUN_JOB = "whatif.run"
FIRST_YEAR, LAST_YEAR = 2000, 2100


def ensure_can_write(user, scenario: Scenario | None = None) -> None:
    if not may_write(user):
        raise PermissionDenied("政策模拟只能由县级账号创建、运行和采纳")
    if scenario is not None and user is not None and not in_scope(user, scenario.county_id):
        raise PermissionDenied("该模拟方案不在当前账号的管辖范围内")


def _ensure_editable(scenario: Scenario) -> None:
    if scenario.status == ScenarioStatus.ADOPTED:
        raise ValidationError("该方案已采纳，不能再修改；如需新的测算请新建方案")
    if scenario.status == ScenarioStatus.RUNNING:
        raise ValidationError("该方案正在运行，请等运行结束后再修改")


def _clean_scenario(scenario: Scenario) -> None:
    errors = {}
    if not (scenario.name or "").strip():
        errors["name"] = "请填写方案名称"
    if not isinstance(scenario.year, int) or not FIRST_YEAR <= scenario.year <= LAST_YEAR:
        errors["year"] = f"年度应为 {FIRST_YEAR} 至 {LAST_YEAR} 之间的整数"
    if errors:
        raise ValidationError(errors)
    scenario.name = scenario.name.strip()


@transaction.atomic
def save_scenario(scenario: Scenario, *, acting_user, channel) -> Scenario:
    """Create (the county is the account's own) or change a scenario's name, year and description."""
    ensure_can_write(acting_user)
    before = None
    if scenario.pk:
        original = Scenario.objects.get(pk=scenario.pk)
        ensure_can_write(acting_user, original)
        _ensure_editable(original)
        before = snapshot(original)
        scenario.county_id = original.county_id
        if original.year != scenario.year and original.ran_at:
            scenario.changed_since_run = True
    else:
        if acting_user is None:
            raise PermissionDenied("新建模拟方案须以县级账号操作")
        scenario.county = county_of(acting_user)
        scenario.created_by = acting_user
    _clean_scenario(scenario)
    scenario.save()
    record_change(scenario, before=before, acting_user=acting_user, channel=channel)
    return scenario


@transaction.atomic
def delete_scenario(scenario: Scenario, *, acting_user, channel) -> None:
    ensure_can_write(acting_user, scenario)
    _ensure_editable(scenario)
    record_change(scenario, before=snapshot(scenario), acting_user=acting_user, channel=channel, action=Action.DELETE)
    scenario.delete()


def _mark_changed(scenario: Scenario) -> None:
    if scenario.ran_at and not scenario.changed_since_run:
        Scenario.objects.filter(pk=scenario.pk).update(changed_since_run=True)
        scenario.changed_since_run = True


@transaction.atomic
def save_change(change: ScenarioChange, *, acting_user, channel) -> ScenarioChange:
    scenario = Scenario.objects.select_for_update().get(pk=change.scenario_id)
    ensure_can_write(acting_user, scenario)
    _ensure_editable(scenario)
    before = snapshot(ScenarioChange.objects.get(pk=change.pk)) if change.pk else None
    changes.clean(change)
    duplicate = ScenarioChange.objects.filter(scenario=scenario, kind=change.kind, target=change.target)
    if duplicate.exclude(pk=change.pk).exists():
        raise ValidationError({"target": f"本方案已有“{changes.label(change)}”的调整，请直接修改该项"})
    change.save()
    record_change(change, before=before, acting_user=acting_user, channel=channel)
    _mark_changed(scenario)
    return change


@transaction.atomic
def delete_change(change: ScenarioChange, *, acting_user, channel) -> None:
    scenario = Scenario.objects.select_for_update().get(pk=change.scenario_id)
    ensure_can_write(acting_user, scenario)
    _ensure_editable(scenario)
    record_change(change, before=snapshot(change), acting_user=acting_user, channel=channel, action=Action.DELETE)
    change.delete()
    _mark_changed(scenario)


def change_rows(scenario: Scenario) -> list[dict]:
    """Each change with its label, unit, live value and source (for the pages, API and CLI)."""
    rows = []
    for change in scenario.changes.all():
        current = changes.live(change, scenario.county_id, scenario.year)
        rows.append({"change": change, "label": changes.label(change), "unit": changes.unit(change), "live": current})
    return rows


def inputs_of(scenario: Scenario) -> sandbox.Inputs:
    inputs = sandbox.Inputs()
    for change in scenario.changes.all():
        if change.kind in changes.LINE_CODES:
            inputs.overrides[changes.LINE_CODES[change.kind]] = change.value
        elif change.kind == ScenarioChangeKind.PARAMETER:
            inputs.overrides[change.target] = change.value
        elif change.kind == ScenarioChangeKind.RULE:
            inputs.conditions[change.target] = change.condition
        else:
            inputs.figures[change.target] = change.value
    return inputs


# --- runs -------------------------------------------------------------------------------------------------------

def start_run(scenario: Scenario, *, acting_user, channel, run_now: bool = False) -> Scenario:
    """Queue the scenario's run as a background job (``run_now``: execute here, for the CLI and the demo)."""
    ensure_can_write(acting_user, scenario)
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().select_related("county").get(pk=scenario.pk)
        _ensure_editable(scenario)
        if not scenario.changes.exists():
            raise ValidationError("请先添加至少一项调整，再运行模拟")
        title = f"政策模拟：{scenario}"
        params = {"scenario_id": scenario.pk, "channel": channel}
        if run_now:
            job = Job.objects.create(kind=RUN_JOB, title=title, user=acting_user, params=params,
                                     region_code=scenario.county_id)
        else:
            job = jobs.start(RUN_JOB, title, user=acting_user, params=params, region_code=scenario.county_id)
        scenario.status, scenario.job = ScenarioStatus.RUNNING, job
        scenario.save(update_fields=["status", "job", "updated"])
    if run_now:
        jobs.run(job)
        scenario.refresh_from_db()
    return scenario


def execute_run(scenario: Scenario, *, acting_user, channel, progress=None) -> dict:
    """Evaluate on the snapshot, then write the result, the moved households and the audit row in one
    transaction (the previous run's rows replaced)."""
    baseline = [{"change": row["change"].pk, **row["live"].as_json()} for row in change_rows(scenario)]
    evaluation = sandbox.evaluate(scenario.county, scenario.year, inputs_of(scenario), progress)
    price = evaluation.lines["dibao_standard"]["after"]
    townships = sandbox.township_rows(evaluation.households, price)
    totals = {key: sum(row[key] for row in townships) for key in sandbox.COUNTERS}
    result = {
        "townships": townships, "totals": totals, "costs": evaluation.costs, "warnings": evaluation.warnings,
        "lines": {k: {"label": v["label"], "before": _text(v["before"]), "after": _text(v["after"])}
                  for k, v in evaluation.lines.items()},
        "cost_total": str(sum((Decimal(c["amount"]) for c in evaluation.costs), Decimal("0"))),
        "snapshot": evaluation.snapshot,
    }
    moved = sandbox.changed_households(evaluation.households, evaluation.lines)
    with transaction.atomic():
        ScenarioHousehold.objects.filter(scenario=scenario).delete()
        if moved.height:
            frame = moved.select(
                pl.lit(scenario.pk).alias("scenario_id"), "household_id", pl.col("village_code").alias("village_id"),
                "outcome", "size", "per_capita_income", "before", "after", "rules_before", "rules_after",
            )
            bulkload.load_frame(ScenarioHousehold, frame)
        before = {"status": scenario.status, "ran_at": _text(scenario.ran_at)}
        scenario.status, scenario.ran_at = ScenarioStatus.DONE, timezone.now()
        scenario.result, scenario.baseline, scenario.changed_since_run = result, baseline, False
        scenario.save(update_fields=["status", "ran_at", "result", "baseline", "changed_since_run", "updated"])
        summary = summary_text(scenario)
        append([build_entry(scenario, before=before, after={"status": scenario.status, "ran_at": _text(scenario.ran_at)},
                            acting_user=acting_user, channel=channel, action=Action.UPDATE,
                            note=f"运行政策模拟：{summary}")])
    return {"scenario_id": scenario.pk, "summary": summary, "url": reverse("whatif:result", args=[scenario.pk])}


def _text(value):
    return None if value is None else str(value)


def summary_text(scenario: Scenario) -> str:
    totals = scenario.result.get("totals", {})
    return (f"新纳入监测预警 {totals.get('enter', 0)} 户，移出 {totals.get('leave', 0)} 户；"
            f"新符合脱贫条件 {totals.get('exit_pass', 0)} 户，不再符合 {totals.get('exit_fail', 0)} 户；"
            f"新低于低保标准 {totals.get('dibao_households', 0)} 户；测算新增支出 {scenario.result.get('cost_total', '0')} 元")


def mark_failed(scenario_id) -> None:
    Scenario.objects.filter(pk=scenario_id, status=ScenarioStatus.RUNNING).update(status=ScenarioStatus.FAILED)


# --- adoption ---------------------------------------------------------------------------------------------------

def stale_changes(scenario: Scenario) -> list[str]:
    """The changes whose live value is no longer the one the run compared against, in Chinese."""
    seen = {entry["change"]: entry for entry in scenario.baseline}
    stale = []
    for row in change_rows(scenario):
        then = seen.get(row["change"].pk)
        now = row["live"].as_json()
        if then is None:
            stale.append(f"“{row['label']}”是运行后新加的调整")
        elif (then["value"], then["condition"]) != (now["value"], now["condition"]):
            was = then["condition"] or changes.shown(then["value"])
            became = now["condition"] or changes.shown(now["value"])
            stale.append(f"“{row['label']}”的现行值已由 {was} 变为 {became}")
    return stale


@transaction.atomic
def adopt(scenario: Scenario, *, acting_user, channel) -> Scenario:
    """Write every change into the county's live configuration through its owning service, or none of them."""
    ensure_can_write(acting_user, scenario)
    scenario = Scenario.objects.select_for_update().select_related("county").get(pk=scenario.pk)
    if scenario.status == ScenarioStatus.ADOPTED:
        raise ValidationError("该方案已采纳")
    if scenario.status != ScenarioStatus.DONE or scenario.changed_since_run:
        raise ValidationError("请先运行模拟（方案修改后须重新运行），确认结果后再采纳")
    stale = stale_changes(scenario)
    if stale:
        raise ValidationError("自模拟运行以来现行配置已变化，结果已过时，请重新运行后再采纳：" + "；".join(stale))
    note = f"采纳政策模拟方案“{scenario.name}”（#{scenario.pk}）"
    written = []
    for row in change_rows(scenario):
        change = row["change"]
        changes.adopt(change, scenario.county, scenario.year, acting_user=acting_user, channel=channel, note=note)
        after = change.condition if change.kind == ScenarioChangeKind.RULE else changes.shown(change.value)
        before = row["live"].condition if change.kind == ScenarioChangeKind.RULE else changes.shown(row["live"].value)
        written.append(f"{row['label']}：{before} → {after}")
    before = snapshot(scenario)
    scenario.status, scenario.adopted_at, scenario.adopted_by = ScenarioStatus.ADOPTED, timezone.now(), acting_user
    scenario.save(update_fields=["status", "adopted_at", "adopted_by", "updated"])
    record_change(scenario, before=before, acting_user=acting_user, channel=channel, note=f"{note}：{'；'.join(written)}")
    return scenario
