"""Monitoring actions: run the rules, reconcile alerts and findings, take leads, verify, record risk events, and
apply the outcomes of the monitoring procedures. Pages, the API, the CLI and the job are thin callers.

Every write is audited (region code = the village). Batch writes of a run go in bulk, with their audit rows, in
the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.accounts.models import Role
from fupin.audit.models import AuditLog, Channel
from fupin.audit.services import append, build_entry, record_change, record_created_frame, snapshot
from fupin.core import bulkload
from fupin.core.scope import code_range, in_scope
from fupin.procedures import services as procedures
from fupin.procedures.models import Status as ProcedureStatus
from fupin.regions.models import Level, Region, applies_to, most_specific
from fupin.registry.models import Household
from fupin.registry.services import set_monitoring_kind

from . import engine, planning
from .defaults import VERIFY_DAYS
from .models import (
    ELIMINATION,
    INCLUSION,
    MAX_RISKS,
    OPEN_ALERT_STATUSES,
    Alert,
    AlertStatus,
    EliminationMethod,
    Family,
    Finding,
    IncomeCheck,
    MonitoredHousehold,
    MonitoredStatus,
    Parameter,
    RiskEvent,
    Rule,
    Run,
    RunStatus,
    Severity,
    Source,
)

RUNNERS = {Role.COUNTY, Role.TOWNSHIP, Role.ADMIN}
VERIFIERS = {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY, Role.ADMIN}
BATCH = 2000
AUTO_CLOSE_NOTE = "规则不再触发，系统自动关闭"
# A lead carries no figures to grade: 一般 until the village's home check says more.
LEAD_SEVERITY = Severity.LOW


# --- permissions ------------------------------------------------------------------------------------------------

def ensure_can_run(user, region: Region, family: str) -> None:
    """Monitoring runs: township level and above; data-quality checks: any writing level, villages included.

    ``user`` None is the system itself (the ``fupin monitor`` command without ``--user``, a scheduled job).
    """
    if user is None:
        return
    roles = RUNNERS | ({Role.VILLAGE} if family == Family.QUALITY else set())
    if not (user.is_superuser or (user.can_write and user.role in roles)):
        raise PermissionDenied("当前账号不能运行监测预警（须乡镇级及以上账号）")
    if not in_scope(user, region.code):
        raise PermissionDenied(f"{region.name}不在当前账号的管辖范围内")


def ensure_can_verify(user, village_code: str) -> None:
    if not (user.is_superuser or (user.can_write and user.role in VERIFIERS)):
        raise PermissionDenied("当前账号不能核实预警或登记监测信息")
    if not in_scope(user, village_code):
        raise PermissionDenied("该户不在当前账号的管辖范围内")


def ensure_can_configure(user, region) -> None:
    if not user.can_administer:
        raise PermissionDenied("只有系统管理员可以维护监测规则和参数")
    if region is None and not (user.is_superuser and user.region_id is None):
        raise PermissionDenied("全国默认规则和参数只能由超级管理员修改；请为本辖区另设同代码的规则或参数")
    if region is not None and not in_scope(user, region.code):
        raise PermissionDenied(f"{region.name}不在当前账号的管辖范围内")


# --- configuration ----------------------------------------------------------------------------------------------

def clean_rule(rule: Rule) -> None:
    """Validate the condition (syntax, columns, parameters that exist) and the fields; raise field errors."""
    errors = {}
    for name in ("condition", "heavier_condition", "severe_condition"):
        text = getattr(rule, name)
        if name != "condition" and not (text or "").strip():
            continue
        try:
            condition = engine.validate(text)
        except engine.ConditionError as exc:
            errors[name] = str(exc)
            continue
        known = set(Parameter.objects.filter(code__in=condition.parameters).values_list("code", flat=True))
        unknown = [p for p in condition.parameters if p not in known]
        if unknown:
            errors[name] = f"未定义的参数 :{'、:'.join(unknown)}，请先在“监测参数”中设置"
    if rule.year_from and rule.year_to and rule.year_from > rule.year_to:
        errors["year_to"] = "截止年度不能早于起始年度"
    if rule.region_id and rule.region.level > Level.COUNTY:
        errors["region"] = "规则只能按省、市或县设置"
    try:
        rule.full_clean(exclude=list(errors))
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_rule(rule: Rule, *, acting_user, channel) -> Rule:
    ensure_can_configure(acting_user, rule.region)
    before = None
    if rule.pk:
        original = Rule.objects.get(pk=rule.pk)
        ensure_can_configure(acting_user, original.region)
        before = snapshot(original)
    clean_rule(rule)
    rule.save()
    record_change(rule, before=before, acting_user=acting_user, channel=channel)
    return rule


def override_rule(rule: Rule, region: Region) -> Rule:
    """An unsaved copy of a higher-level rule for ``region`` (how a county changes or disables a national rule)."""
    return Rule(
        family=rule.family, code=rule.code, name=rule.name, condition=rule.condition, severity=rule.severity,
        heavier_condition=rule.heavier_condition, severe_condition=rule.severe_condition,
        risk_type=rule.risk_type, year_from=rule.year_from, year_to=rule.year_to, region=region,
        enabled=rule.enabled, description=rule.description,
    )


@transaction.atomic
def save_parameter(parameter: Parameter, *, acting_user, channel) -> Parameter:
    ensure_can_configure(acting_user, parameter.region)
    before = None
    if parameter.pk:
        original = Parameter.objects.get(pk=parameter.pk)
        ensure_can_configure(acting_user, original.region)
        before = snapshot(original)
    if parameter.region_id and parameter.region.level > Level.COUNTY:
        raise ValidationError({"region": "参数只能按省、市或县设置"})
    parameter.full_clean()
    parameter.save()
    record_change(parameter, before=before, acting_user=acting_user, channel=channel)
    return parameter


# --- runs -------------------------------------------------------------------------------------------------------

def default_year() -> int:
    """The accounts of the last complete year are the ones a run reads by default."""
    return timezone.localdate().year - 1


def ensure_runnable(family: str, region: Region, year: int, acting_user) -> None:
    """Who may run, and a monitoring run only for a year whose monitoring range is set (the page, API and CLI
    show the Chinese reason instead of running silently)."""
    ensure_can_run(acting_user, region, family)
    if family == Family.MONITORING:
        planning.ensure_monitoring_line(year, region.code)


def run(family: str, region: Region, year: int, *, acting_user, channel, job=None, progress=None) -> Run:
    """Evaluate the family's rules over the region for the year and reconcile alerts (or findings)."""
    ensure_runnable(family, region, year, acting_user)
    started = time.perf_counter()
    record = Run.objects.create(
        family=family, region=region, year=year, job=job,
        user=acting_user if acting_user and acting_user.is_authenticated else None,
    )
    report = progress or (lambda *args, **kwargs: None)
    try:
        if family == Family.MONITORING:
            sync_procedure_outcomes(acting_user=acting_user, channel=channel)
        report(0, 3, "准备规则与参数", force=True)
        plan, warnings = planning.build_plan(family, region.code, year, exclude_monitored=family == Family.MONITORING)
        report(1, 3, f"执行{len(plan.rules)}条规则", force=True)
        scanned, frame = engine.run_django(plan)
        report(2, 3, f"命中{frame.height}户，更新{'预警' if family == Family.MONITORING else '问题清单'}", force=True)
        with transaction.atomic():
            reconcile = _reconcile_alerts if family == Family.MONITORING else _reconcile_findings
            counts, notes = reconcile(record, plan, frame, acting_user=acting_user, channel=channel)
    except Exception:
        Run.objects.filter(pk=record.pk).update(status=RunStatus.FAILED, finished=timezone.now(),
                                                seconds=time.perf_counter() - started)
        raise
    record.rules = [r.code for r in plan.rules]
    record.scanned, record.warnings = scanned, warnings + notes
    record.opened, record.updated_count, record.unchanged, record.closed = counts
    record.status, record.finished = RunStatus.DONE, timezone.now()
    record.seconds = time.perf_counter() - started
    record.save()
    report(3, 3, "完成", force=True)
    return record


def _audit_bulk(entries: list[AuditLog]) -> None:
    append(entries)


def _range_filter(prefix: str) -> dict:
    low, high = code_range(prefix)
    return {"village_id__gte": low, "village_id__lte": high}


def _by_ids(model, ids: list[int]):
    """Instances by primary key in chunks (SQLite limits the parameters of one statement)."""
    for start in range(0, len(ids), BATCH):
        yield from model.objects.filter(pk__in=ids[start:start + BATCH])


def fingerprint(rules: str, figures: str) -> str:
    """What an alert said when written: a run compares this instead of decoding every open alert's figures."""
    return hashlib.md5(f"{rules}|{figures}".encode()).hexdigest()


OPEN_SCHEMA = {"id": pl.Int64, "household_id": pl.Int64, "rules_open": pl.String, "fingerprint_open": pl.String,
               "firing": pl.Int64, "year": pl.Int64, "status": pl.String, "source": pl.String}


def _reconcile_alerts(record: Run, plan: engine.Plan, frame: pl.DataFrame, *, acting_user, channel):
    """Open new alerts, refresh changed ones, close (or mark) those that no longer fire. Returns the counts.

    The comparison runs on columns (the run's hit frame against the open alerts' keys and fingerprints); only the
    alerts that change are loaded as model instances.
    """
    frame = frame.with_columns(pl.Series("fingerprint", [
        fingerprint(r, f) for r, f in zip(frame["rules"].to_list(), frame["figures"].to_list())], dtype=pl.String))
    scope = Alert.objects.filter(**_range_filter(plan.prefix))
    low, high = code_range(plan.prefix)
    statuses = ", ".join(f"'{status}'" for status in OPEN_ALERT_STATUSES)
    current = engine.read_frame(
        "SELECT id, household_id, rules, fingerprint, CASE WHEN firing THEN 1 ELSE 0 END, year, status, source "
        f"FROM {Alert._meta.db_table} WHERE village_id >= '{low}' AND village_id <= '{high}' "
        f"AND status IN ({statuses})", OPEN_SCHEMA,
    ).with_columns(pl.col("rules_open", "fingerprint_open").fill_null(""), pl.col("firing") == 1)
    # A run for one year never touches the alerts of another: they are the village's queue for that year. A
    # household whose alert of another year is still open gets no second one now (one open alert per household).
    other_years = current.filter(pl.col("year") != plan.year)["household_id"]
    current = current.filter(pl.col("year") == plan.year)
    joined = frame.join(current, on="household_id", how="left")
    new = joined.filter(pl.col("id").is_null())
    waiting = new.filter(pl.col("household_id").is_in(other_years.implode()))
    new = new.filter(~pl.col("household_id").is_in(other_years.implode()))
    notes = [f"{waiting.height}户有其他年度未办结的预警，本次未新增{plan.year}年度预警，请先核实办结原预警"] \
        if waiting.height else []
    # A household the village already found not at risk this year is not re-alerted for the same rules.
    settled = {}
    for household_id, rules in scope.filter(
        status__in=(AlertStatus.NO_RISK, AlertStatus.NOT_INCLUDED), year=plan.year
    ).values_list("household_id", "rules"):
        settled.setdefault(household_id, set()).update(c for c in rules.split(",") if c)
    suppressed = [
        household_id for household_id, rules in
        new.filter(pl.col("household_id").is_in(list(settled))).select("household_id", "rules").iter_rows()
        if set(rules.split(",")) <= settled[household_id]
    ]
    new = new.filter(~pl.col("household_id").is_in(suppressed))
    existing = joined.filter(pl.col("id").is_not_null())
    refresh = existing.filter(
        (pl.col("rules") != pl.col("rules_open")) | (pl.col("fingerprint") != pl.col("fingerprint_open"))
        | ~pl.col("firing")
    )
    unchanged = existing.height - refresh.height + len(suppressed)
    stop = current.filter(
        ~pl.col("household_id").is_in(frame["household_id"].implode()) & (pl.col("rules_open") != "")
        & (((pl.col("status") == AlertStatus.PENDING.value) & (pl.col("source") == Source.RULE.value))
           | pl.col("firing"))
    )["id"].to_list()
    now = timezone.now()
    changed, closed = [], []
    updates = {row["id"]: row for row in refresh.select("id", "rules", "figures", "severity", "fingerprint")
               .iter_rows(named=True)}
    for alert in _by_ids(Alert, list(updates)):
        row = updates[alert.pk]
        before = snapshot(alert)
        alert.rules, alert.figures, alert.severity = row["rules"], json.loads(row["figures"]), row["severity"]
        alert.fingerprint, alert.firing = row["fingerprint"], True
        alert.last_run, alert.updated = record, now
        changed.append((alert, before))
    for alert in _by_ids(Alert, stop):
        before = snapshot(alert)
        alert.firing, alert.last_run, alert.updated = False, record, now
        if alert.status == AlertStatus.PENDING and alert.source == Source.RULE:
            alert.status, alert.closed, alert.verification = AlertStatus.CLOSED, now, AUTO_CLOSE_NOTE
            closed.append((alert, before))
        else:
            # Leads and alerts already in a procedure stay open; they are only marked as no longer firing.
            changed.append((alert, before))
    _insert_alerts(new, record, plan, acting_user=acting_user, channel=channel)
    fields = ["rules", "figures", "fingerprint", "firing", "severity", "last_run", "updated", "status",
              "closed", "verification"]
    Alert.objects.bulk_update([a for a, _ in changed + closed], fields, batch_size=BATCH)
    _audit_bulk([
        build_entry(alert, before=before, after=snapshot(alert), acting_user=acting_user, channel=channel,
                    note=f"预警运行 #{record.pk}")
        for alert, before in changed + closed
    ])
    return (new.height, len(changed), unchanged, len(closed)), notes


# What the audit row of a rule alert records: the fields a run sets that say what was found, as record_change would
# list them (the run's bookkeeping columns, such as the fingerprint and the run links, left out).
ALERT_CREATE_FIELDS = ("household", "village", "year", "source", "status", "rules", "figures", "severity", "due")


def _insert_alerts(new: pl.DataFrame, record: Run, plan: engine.Plan, *, acting_user, channel) -> None:
    """New alerts and their audit rows by COPY (PostgreSQL) or executemany (SQLite): a first run over a province
    opens hundreds of thousands."""
    if not new.height:
        return
    counties = new["village_code"].str.slice(0, planning.COUNTY_DIGITS).unique().to_list()
    days = {county: int(planning.or_default(VERIFY_DAYS, values[VERIFY_DAYS]))
            for county, values in planning.resolve_for_counties([VERIFY_DAYS], plan.year, counties).items()}
    first = bulkload.allocate_ids(Alert, new.height)
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    alerts = new.select(
        pl.int_range(first, first + new.height, dtype=pl.Int64).alias("id"),
        "household_id", pl.col("village_code").alias("village_id"), pl.lit(plan.year).alias("year"),
        pl.lit(Source.RULE.value).alias("source"), pl.lit(AlertStatus.PENDING.value).alias("status"),
        "rules", "figures", "fingerprint", "severity", pl.lit(True).alias("firing"),
        (pl.lit(plan.today) + pl.duration(days=pl.col("village_code").str.slice(0, planning.COUNTY_DIGITS)
                                          .replace_strict(days, return_dtype=pl.Int64))).alias("due"),
        pl.lit(record.pk).alias("first_run_id"), pl.lit(record.pk).alias("last_run_id"),
        pl.lit(user.pk if user else None, dtype=pl.Int64).alias("created_by_id"),
    )
    bulkload.load_frame(Alert, alerts)
    record_created_frame(
        Alert, alerts, fields=ALERT_CREATE_FIELDS,
        object_repr=pl.concat_str([pl.lit("预警 #"), pl.col("id").cast(pl.String)]),
        acting_user=acting_user, channel=channel, note=f"预警运行 #{record.pk} 新增预警",
    )


def _reconcile_findings(record: Run, plan: engine.Plan, frame: pl.DataFrame, *, acting_user, channel):
    """Data-quality findings: add new ones, refresh figures, mark fixed the ones that no longer fire."""
    rules = list(Rule.objects.filter(family=Family.QUALITY, enabled=True).select_related("region"))

    def rule_for(code: str, village: str) -> Rule:
        return most_specific(r for r in rules if r.code == code and applies_to(r, village))

    scope = Finding.objects.filter(fixed__isnull=True, **_range_filter(plan.prefix))
    if plan.household_ids:
        scope = scope.filter(household_id__in=plan.household_ids)
    current = {
        (household_id, code): (pk, figures, year)
        for pk, household_id, code, figures, year in scope.values_list("id", "household_id", "rule__code", "figures",
                                                                        "year")
    }
    now = timezone.now()
    new, changed, fixed, entries = [], [], [], []
    unchanged = 0
    refresh = {}
    for hit in engine.hits(frame):
        for code in hit.rules:
            row = current.pop((hit.household_id, code), None)
            if row is None:
                new.append(Finding(household_id=hit.household_id, village_id=hit.village_code,
                                   rule=rule_for(code, hit.village_code), year=plan.year, figures=hit.figures[code],
                                   last_run=record))
            elif (row[1], row[2]) != (hit.figures[code], plan.year):
                refresh[row[0]] = hit.figures[code]
            else:
                unchanged += 1
    for finding in _by_ids(Finding, list(refresh)):
        before = snapshot(finding)
        finding.figures, finding.year, finding.last_run = refresh[finding.pk], plan.year, record
        changed.append((finding, before))
    # What is left in ``current`` no longer fires: the record was fixed.
    for finding in _by_ids(Finding, [row[0] for row in current.values()]):
        before = snapshot(finding)
        finding.fixed, finding.last_run = now, record
        fixed.append((finding, before))
    Finding.objects.bulk_create(new, batch_size=BATCH)
    Finding.objects.bulk_update([f for f, _ in changed + fixed], ["figures", "year", "last_run", "fixed"],
                                batch_size=BATCH)
    for finding in new:
        entries.append(build_entry(finding, before=None, after=snapshot(finding), acting_user=acting_user,
                                   channel=channel, note=f"逻辑校验 #{record.pk} 发现问题"))
    for finding, before in changed + fixed:
        note = f"逻辑校验 #{record.pk} {'已整改' if finding.fixed else '更新'}"
        entries.append(build_entry(finding, before=before, after=snapshot(finding), acting_user=acting_user,
                                   channel=channel, note=note))
    _audit_bulk(entries)
    return (len(new), len(changed), unchanged, len(fixed)), []


def recheck_village(village: Region, *, acting_user, channel) -> Run:
    """Re-run the data-quality checks over one village, so its list empties as soon as records are fixed."""
    return run(Family.QUALITY, village, default_year(), acting_user=acting_user, channel=channel)


# --- alerts and leads -------------------------------------------------------------------------------------------

@transaction.atomic
def create_lead(household: Household, *, source: str, description: str, reporter: str = "", contact: str = "",
                acting_user, channel) -> Alert:
    """农户自主申报 / 干部排查 / 部门筛查: a lead enters the same queue as the rule alerts."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    ensure_can_verify(acting_user, household.village_id)
    if source not in (Source.SELF_REPORT, Source.CADRE, Source.DEPARTMENT):
        raise ValidationError({"source": "请选择线索来源（农户自主申报、干部走访排查或部门筛查预警）"})
    if not (description or "").strip():
        raise ValidationError({"description": "请填写线索内容（发生了什么、何时、影响如何）"})
    existing = Alert.objects.filter(household=household, status__in=OPEN_ALERT_STATUSES).first()
    if existing is not None:
        raise ValidationError(f"该户已有{existing.get_status_display()}的{existing}，请在该预警中核实处理")
    monitored = MonitoredHousehold.objects.filter(household=household, status=MonitoredStatus.MONITORING).first()
    if monitored is not None:
        raise ValidationError(f"该户已是监测对象（{monitored.get_kind_display()}），请直接落实帮扶措施")
    year = default_year()
    days = int(planning.parameter(VERIFY_DAYS, year, household.village_id))
    alert = Alert.objects.create(
        household=household, village_id=household.village_id, year=year, source=source, status=AlertStatus.PENDING,
        description=description.strip(), reporter=reporter.strip(), reporter_contact=contact.strip(),
        due=timezone.localdate() + dt.timedelta(days=days), firing=False, severity=LEAD_SEVERITY,
        created_by=acting_user if acting_user.is_authenticated else None,
    )
    record_change(alert, before=None, acting_user=acting_user, channel=channel, note=f"登记线索：{alert.get_source_display()}")
    return alert


SELF_REPORT_ERROR = "户编号或户主证件号码后六位不正确，请核对后再提交，或直接联系村委会"


@transaction.atomic
def self_report(*, household_number: str, id_tail: str, phone: str, description: str) -> Alert | None:
    """农户自主申报 from the public page: the household proves itself with the last six characters of the head's
    ID number; the report enters the village's queue like any lead. A household with an open alert gets that
    alert back and one under monitoring gets None: its case is already being handled, so no duplicate."""
    id_tail, phone, description = (id_tail or "").strip().upper(), (phone or "").strip(), (description or "").strip()
    if not description:
        raise ValidationError({"description": "请说明遇到的困难（如生病住院、受灾、失业、收入减少等）"})
    if not (phone.isdigit() and len(phone) == 11):
        raise ValidationError({"phone": "请填写11位手机号码，便于村里联系核实"})
    household = Household.objects.select_for_update().filter(number=(household_number or "").strip()).first()
    if household is None or len(id_tail) != 6 or not household.head_id_number.upper().endswith(id_tail):
        raise ValidationError({"__all__": SELF_REPORT_ERROR})
    existing = Alert.objects.filter(household=household, status__in=OPEN_ALERT_STATUSES).first()
    if existing is not None:
        return existing
    if MonitoredHousehold.objects.filter(household=household, status=MonitoredStatus.MONITORING).exists():
        return None
    year = default_year()
    days = int(planning.parameter(VERIFY_DAYS, year, household.village_id))
    alert = Alert.objects.create(
        household=household, village_id=household.village_id, year=year, source=Source.SELF_REPORT,
        status=AlertStatus.PENDING, description=description[:2000], reporter="农户本人（网上申报）",
        reporter_contact=phone, due=timezone.localdate() + dt.timedelta(days=days), firing=False,
        severity=LEAD_SEVERITY,
    )
    record_change(alert, before=None, acting_user=None, channel=Channel.PAGE, note="农户自主申报（公开页面）")
    return alert


def _locked_alert(alert: Alert) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.PENDING:
        raise ValidationError(f"{alert}当前为“{alert.get_status_display()}”，不能再核实")
    return alert


@transaction.atomic
def dismiss_alert(alert: Alert, *, reason: str, acting_user, channel) -> Alert:
    """入户核实后无风险: close the alert with the reason."""
    alert = _locked_alert(alert)
    ensure_can_verify(acting_user, alert.village_id)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写核实情况和无风险的理由"})
    before = snapshot(alert)
    alert.status, alert.verification = AlertStatus.NO_RISK, reason.strip()
    alert.verified_by, alert.verified = acting_user, timezone.now()
    alert.closed = alert.verified
    alert.save()
    record_change(alert, before=before, acting_user=acting_user, channel=channel, note="入户核实：无返贫致贫风险")
    return alert


@transaction.atomic
def start_inclusion(alert: Alert, *, kind: str, risks: list[str], reason: str, acting_user, channel) -> Alert:
    """入户核实后有风险: start the monitoring-inclusion procedure (村级评议、公示、乡镇审核、县级审定)."""
    alert = _locked_alert(alert)
    ensure_can_verify(acting_user, alert.village_id)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写入户核实情况"})
    details = {"kind": kind, "risks": list(risks), "alert": alert.pk}
    # The procedure checks the accounts of the alert's year (the last complete year for a lead).
    procedure = procedures.start_procedure(INCLUSION, alert.household, year=alert.year, details=details,
                                           reason=reason.strip(), acting_user=acting_user, channel=channel)
    before = snapshot(alert)
    alert.status, alert.procedure, alert.verification = AlertStatus.IN_PROCEDURE, procedure, reason.strip()
    alert.verified_by, alert.verified = acting_user, timezone.now()
    alert.save()
    record_change(alert, before=before, acting_user=acting_user, channel=channel, note=f"发起{procedure}")
    return alert


def sync_procedure_outcomes(*, acting_user, channel, alerts=None) -> int:
    """Alerts whose inclusion procedure was rejected (认定未通过) or withdrawn (back to 待核实).

    The procedures engine calls no hook when a procedure ends without approval, so runs and the alert list catch
    up here (``alerts``: the queryset to look at, default all).
    """
    changed = 0
    ended = (Alert.objects if alerts is None else alerts).filter(
        status=AlertStatus.IN_PROCEDURE,
        procedure__status__in=(ProcedureStatus.REJECTED, ProcedureStatus.WITHDRAWN),
    ).select_related("procedure")
    for alert in ended:
        before = snapshot(alert)
        if alert.procedure.status == ProcedureStatus.REJECTED:
            alert.status, alert.closed = AlertStatus.NOT_INCLUDED, timezone.now()
        else:
            alert.status, alert.procedure = AlertStatus.PENDING, None
        alert.save()
        record_change(alert, before=before, acting_user=acting_user, channel=channel, note="同步认定程序结果")
        changed += 1
    return changed


# --- procedure outcomes (called by the procedures engine at final approval) ---------------------------------------

def include_household(procedure, household, result, *, acting_user, channel, note) -> MonitoredHousehold:
    facts = result.figures.get("facts", {})
    monitored = MonitoredHousehold.objects.create(
        household=household, village_id=household.village_id, kind=procedure.details["kind"], year=procedure.year,
        identified_on=timezone.localdate(), risks=",".join(procedure.details["risks"]),
        per_capita_income=facts.get("per_capita_income"), monitoring_line=facts.get("monitoring_line"),
        no_work_capacity=not facts.get("able_to_work"), inclusion_procedure=procedure,
        alert_id=procedure.details.get("alert"),
    )
    record_change(monitored, before=None, acting_user=acting_user, channel=channel, note=note)
    set_monitoring_kind(household, monitored.kind, acting_user=acting_user, channel=channel, note=note)
    alert = Alert.objects.filter(pk=procedure.details.get("alert")).first()
    if alert is not None and alert.status == AlertStatus.IN_PROCEDURE:
        before = snapshot(alert)
        alert.status, alert.closed = AlertStatus.INCLUDED, timezone.now()
        alert.save()
        record_change(alert, before=before, acting_user=acting_user, channel=channel, note=note)
    return monitored


def eliminate_risk(procedure, household, result, *, acting_user, channel, note) -> MonitoredHousehold:
    monitored = MonitoredHousehold.objects.select_for_update().get(
        household=household, status=MonitoredStatus.MONITORING
    )
    before = snapshot(monitored)
    monitored.status, monitored.eliminated_on = MonitoredStatus.ELIMINATED, timezone.localdate()
    monitored.elimination_method, monitored.elimination_procedure = procedure.details["method"], procedure
    monitored.save()
    record_change(monitored, before=before, acting_user=acting_user, channel=channel, note=note)
    set_monitoring_kind(household, "", acting_user=acting_user, channel=channel, note=note)
    return monitored


def start_elimination(monitored: MonitoredHousehold, *, method: str, reason: str, acting_user, channel):
    """Start the risk-elimination procedure for a monitored household (criteria checked by the engine)."""
    ensure_can_verify(acting_user, monitored.village_id)
    if monitored.status != MonitoredStatus.MONITORING:
        raise ValidationError("该户风险已消除")
    if method not in EliminationMethod.values:
        raise ValidationError({"method": "请选择风险消除方式（帮扶消除或自然消除）"})
    return procedures.start_procedure(
        ELIMINATION, monitored.household, year=default_year(), details={"method": method, "monitored": monitored.pk},
        reason=(reason or "").strip(), acting_user=acting_user, channel=channel,
    )


@transaction.atomic
def update_monitored(monitored: MonitoredHousehold, *, acting_user, channel) -> MonitoredHousehold:
    """Change the risk types, the no-working-capacity flag or the note of a monitored household."""
    ensure_can_verify(acting_user, monitored.village_id)
    original = MonitoredHousehold.objects.select_for_update().get(pk=monitored.pk)
    codes = monitored.risk_codes
    if not codes or len(codes) > MAX_RISKS:
        raise ValidationError({"risks": "风险类型应选择一至五项"})
    before = snapshot(original)
    monitored.save()
    record_change(monitored, before=before, acting_user=acting_user, channel=channel)
    return monitored


# --- risk events ------------------------------------------------------------------------------------------------

@transaction.atomic
def record_event(event: RiskEvent, *, acting_user, channel) -> RiskEvent:
    household = event.household
    ensure_can_verify(acting_user, household.village_id)
    event.village_id = household.village_id
    if event.date and event.date > timezone.localdate():
        raise ValidationError({"date": "发生日期不能晚于今天"})
    if event.amount is not None and event.amount < 0:
        raise ValidationError({"amount": "金额不能为负数"})
    before = snapshot(RiskEvent.objects.get(pk=event.pk)) if event.pk else None
    event.full_clean(exclude=["household", "village"])
    if not event.pk:
        event.recorded_by = acting_user if acting_user.is_authenticated else None
    event.save()
    record_change(event, before=before, acting_user=acting_user, channel=channel)
    return event


@transaction.atomic
def report_event(household, *, kind: str, date, description: str, amount=None, acting_user,
                 channel) -> RiskEvent:
    """A risk event another app reports for a household (a 小额信贷 loan overdue or misused), filed as 部门筛查预警:
    the reporting app has checked its own write rights and scope; the household's next monitoring run counts it
    (its ``*_events`` fact). ``acting_user`` None is the system."""
    event = RiskEvent(household=household, village_id=household.village_id, kind=kind, date=date,
                      description=description[:500], amount=amount, source=Source.DEPARTMENT,
                      recorded_by=acting_user if acting_user is not None and acting_user.is_authenticated else None)
    event.full_clean(exclude=["household", "village", "recorded_by"])
    event.save()
    record_change(event, before=None, acting_user=acting_user, channel=channel)
    return event


# --- income checks ----------------------------------------------------------------------------------------------

@transaction.atomic
def record_income_check(check: IncomeCheck, *, acting_user, channel) -> IncomeCheck:
    """收入核查: a dated per-capita income of the household (the 12 months before the check); risk elimination
    counts the months income has stayed above the monitoring range from these records."""
    household = check.household
    ensure_can_verify(acting_user, household.village_id)
    check.village_id = household.village_id
    if check.checked_on and check.checked_on > timezone.localdate():
        raise ValidationError({"checked_on": "核查日期不能晚于今天"})
    if check.per_capita_income is not None and check.per_capita_income < 0:
        raise ValidationError({"per_capita_income": "人均纯收入不能为负数"})
    before = snapshot(IncomeCheck.objects.get(pk=check.pk)) if check.pk else None
    check.full_clean(exclude=["household", "village"])
    if not check.pk:
        check.recorded_by = acting_user if acting_user.is_authenticated else None
    check.save()
    record_change(check, before=before, acting_user=acting_user, channel=channel)
    return check


# --- lists --------------------------------------------------------------------------------------------------------

def open_alerts(user):
    return Alert.objects.visible_to(user).filter(status__in=OPEN_ALERT_STATUSES)


def overdue_alerts(user):
    return Alert.objects.visible_to(user).filter(status=AlertStatus.PENDING, due__lt=timezone.localdate())
