"""问题台账 actions: record a problem (by hand, from a confirmed suspect, a fund anomaly or a data-quality finding),
record progress and evidence, apply for sign-off, sign off or return it, and report overdue problems up a level.

Every write checks ``access`` (the register's staff in scope; sign-off by the level above the problem's region),
validates, and writes its audit row in the same transaction (docs/audit-log.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fupin.audit.services import append, build_entry, record_change, snapshot
from fupin.comparison import rules as comparison_rules
from fupin.comparison.models import Suspect, SuspectStatus
from fupin.funds.checks import explain as fund_explain
from fupin.funds.models import Anomaly, AnomalyStatus
from fupin.monitoring import explain as monitoring_explain
from fupin.monitoring.models import Finding
from fupin.regions.models import Level, Region, applies_to, specificity

from . import access
from .models import (
    DEADLINE_CODES,
    Category,
    Evidence,
    Item,
    OversightParameter,
    ParameterCode,
    Problem,
    Progress,
    SourceKind,
    Status,
)

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".doc", ".docx", ".xls", ".xlsx", ".ofd",
                     ".txt", ".zip"}
# The statuses in which the region still rectifies (records progress and evidence, may apply for sign-off).
WORKING = (Status.PENDING, Status.IN_PROGRESS, Status.RETURNED)


def level_label(level: int) -> str:
    return f"{Level(level).label}级"


def _user(acting_user):
    return acting_user if acting_user is not None and acting_user.is_authenticated else None


def ensure_can_change(user, region_code: str) -> None:
    if not access.may_write(user):
        raise PermissionDenied("当前账号只能查看问题台账，不能修改")
    if user is not None and not access.may_change(user, region_code):
        raise PermissionDenied("该问题不在当前账号的管辖范围内")


# --- policy figures -----------------------------------------------------------------------------------------------


def parameter(code: str, year: int, region_code: str) -> int:
    """The figure for a place and year: the most specific region wins, then the exact year."""
    candidates = [p for p in OversightParameter.objects.filter(Q(year=year) | Q(year__isnull=True), code=code)
                  .select_related("region") if applies_to(p, region_code)]
    best = max(candidates, key=lambda p: (specificity(p), p.year is not None), default=None)
    if best is None:
        raise ValidationError(f"未设置整改参数“{ParameterCode(code).label}”，请在整改参数页面设置")
    return best.value


def default_deadline(category: str, region_code: str, start: dt.date | None = None) -> dt.date:
    start = start or timezone.localdate()
    return start + dt.timedelta(days=parameter(DEADLINE_CODES[Category(category)], start.year, region_code))


@transaction.atomic
def save_parameter(item: OversightParameter, *, acting_user, channel) -> OversightParameter:
    if item.region_id is None:
        if acting_user is not None and not acting_user.is_superuser:
            raise PermissionDenied("全国默认参数只能由系统管理员修改，请按本县设置")
    else:
        ensure_can_change(acting_user, item.region_id)
    if item.code != ParameterCode.ESCALATION_GRACE and item.value is not None and item.value < 1:
        raise ValidationError({"value": "整改时限至少为1天"})
    before = snapshot(OversightParameter.objects.get(pk=item.pk)) if item.pk else None
    item.full_clean()
    item.save()
    record_change(item, before=before, acting_user=acting_user, channel=channel)
    return item


# --- recording ----------------------------------------------------------------------------------------------------


def _clean(problem: Problem, acting_user) -> None:
    errors = {}
    region = Region.objects.filter(code=problem.region_id).first() if problem.region_id else None
    if region is None:
        errors["region"] = "请选择问题所在的村、乡镇或县"
    elif region.level < Level.COUNTY:
        errors["region"] = "问题应落实到县、乡镇或村"
    elif acting_user is not None and not access.may_change(acting_user, region.code):
        errors["region"] = "所选区划不在当前账号的管辖范围内"
    if problem.household_id and region is not None:
        if not problem.household.village_id.startswith(region.prefix):
            errors["household"] = f"农户{problem.household.number}不在{region.name}"
    if problem.project_id and region is not None:
        if not problem.project.region_id.startswith(region.prefix):
            errors["project"] = f"项目“{problem.project.name}”不在{region.name}"
    if problem.item and problem.category and Item(problem.item).category != problem.category:
        errors["item"] = f"问题细项“{Item(problem.item).label}”不属于{Category(problem.category).label}"
    if problem.owner_id and region is not None:
        owner = problem.owner
        if not owner.is_active or owner.region_id is None or not region.code.startswith(owner.scope_prefix):
            errors["owner"] = f"责任人账号{owner.username}不管辖{region.name}"
    if not (problem.description or "").strip():
        errors["description"] = "请填写问题描述"
    if not (problem.responsible_unit or "").strip():
        errors["responsible_unit"] = "请填写责任单位"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_problem(problem: Problem, *, acting_user, channel) -> Problem:
    """Record a problem or change its facts (not its status: that moves by the actions below)."""
    before = None
    if problem.pk:
        original = Problem.objects.select_for_update().get(pk=problem.pk)
        ensure_can_change(acting_user, original.region_id)
        if original.status == Status.CLOSED:
            raise ValidationError("已销号的问题不能修改")
        before = snapshot(original)
        problem.status = original.status
    else:
        ensure_can_change(acting_user, problem.region_id or "")
        problem.created_by = _user(acting_user)
        problem.status = Status.PENDING
    if problem.category and problem.region_id and problem.deadline is None:
        problem.deadline = default_deadline(problem.category, problem.region_id)
    if problem.owner_id and not problem.owner_name:
        problem.owner_name = problem.owner.full_name or problem.owner.username
    _clean(problem, acting_user)
    problem.full_clean(exclude=["created_by", "closed_by"])
    try:
        with transaction.atomic():
            problem.save()
    except IntegrityError as exc:
        raise ValidationError("该来源记录已有未销号的问题") from exc
    record_change(problem, before=before, acting_user=acting_user, channel=channel)
    return problem


def create(*, acting_user, channel, **fields) -> Problem:
    return save_problem(Problem(**fields), acting_user=acting_user, channel=channel)


def open_for(subject: str) -> Problem | None:
    return Problem.objects.open().filter(subject=subject).first()


def _from_source(subject: str, fields: dict, *, acting_user, channel, overrides: dict) -> tuple[Problem, bool]:
    """The one open problem of a source record: the existing one, or a new one made from ``fields``."""
    existing = open_for(subject)
    if existing is not None:
        return existing, False
    return create(acting_user=acting_user, channel=channel, subject=subject, **{**fields, **overrides}), True


def create_from_suspect(suspect: Suspect, *, acting_user, channel, **overrides) -> tuple[Problem, bool]:
    """一键立项 from a comparison suspect the village verified as 属实."""
    if suspect.status != SuspectStatus.CONFIRMED:
        raise ValidationError("只有核查属实的疑点可以列入问题台账")
    rule = comparison_rules.find(suspect.rule)
    name = rule.name if rule else suspect.rule
    who = suspect.member_name or suspect.household_number
    description = f"数据比对发现“{name}”（{who}），经核查属实。"
    if suspect.action_taken:
        description += f"村级处理意见：{suspect.action_taken}"
    fields = {"source_kind": SourceKind.SUSPECT, "source_reference": f"数据比对疑点：{name}",
              "region_id": suspect.village_code, "household_id": suspect.household_id,
              "category": Category.IDENTIFY, "item": Item.IDENTIFY_STANDARD, "description": description[:2000],
              "responsible_unit": _unit(suspect.village_code)}
    return _from_source(f"comparison.suspect:{suspect.pk}", fields, acting_user=acting_user, channel=channel,
                        overrides=overrides)


def create_from_anomaly(anomaly: Anomaly, *, acting_user, channel, **overrides) -> tuple[Problem, bool]:
    """一键立项 from a fund anomaly found 属实 (or still to be verified, when the county puts it on the ledger)."""
    if anomaly.status not in (AnomalyStatus.CONFIRMED, AnomalyStatus.PENDING):
        raise ValidationError("已核实不属实、已整改或已消除的资金异常不再列入问题台账")
    summary = fund_explain.text(anomaly.figures)
    payee = f"（收款人{anomaly.payee_name}）" if anomaly.payee_name else ""
    description = f"资金异常“{anomaly.rule.name}”{payee}：{summary}" if summary else f"资金异常“{anomaly.rule.name}”{payee}"
    project_id = anomaly.allocation.project_id if anomaly.allocation_id else None
    fields = {"source_kind": SourceKind.FUNDS, "source_reference": f"资金异常核查：{anomaly.rule.name}",
              "region_id": anomaly.region_id, "project_id": project_id, "category": Category.BASIC,
              "item": Item.BASIC_FUNDS, "description": description[:2000],
              "responsible_unit": _unit(anomaly.region_id)}
    return _from_source(f"funds.anomaly:{anomaly.pk}", fields, acting_user=acting_user, channel=channel,
                        overrides=overrides)


def create_from_quality_finding(finding: Finding, *, acting_user, channel, **overrides) -> tuple[Problem, bool]:
    """一键立项 from an open data-quality finding of the register (逻辑校验问题)."""
    if finding.fixed is not None:
        raise ValidationError("该逻辑校验问题已整改")
    figures = monitoring_explain.values_text(finding.figures)
    description = f"逻辑校验“{finding.rule.name}”：户编号{finding.household.number}" + (f"，{figures}" if figures else "")
    fields = {"source_kind": SourceKind.QUALITY, "source_reference": f"{finding.year}年数据逻辑校验 {finding.rule.code}",
              "region_id": finding.village_id, "household_id": finding.household_id, "category": Category.BASIC,
              "item": Item.BASIC_DATA, "description": description[:2000],
              "responsible_unit": _unit(finding.village_id)}
    return _from_source(f"monitoring.finding:{finding.pk}", fields, acting_user=acting_user, channel=channel,
                        overrides=overrides)


UNIT_SUFFIX = {Level.VILLAGE: "村民委员会", Level.TOWNSHIP: "人民政府", Level.COUNTY: "乡村振兴局"}


def _unit(region_code: str) -> str:
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        return ""
    return f"{region.name}{UNIT_SUFFIX.get(region.level, '')}"


# --- rectification ------------------------------------------------------------------------------------------------


def _locked(problem: Problem) -> Problem:
    return Problem.objects.select_for_update().select_related("region").get(pk=problem.pk)


def _working(problem: Problem, acting_user) -> Problem:
    locked = _locked(problem)
    ensure_can_change(acting_user, locked.region_id)
    if locked.status not in WORKING:
        raise ValidationError(f"问题{locked.get_status_display()}，不能再填报整改")
    return locked


@transaction.atomic
def add_progress(problem: Problem, *, text: str, date: dt.date | None = None, acting_user, channel) -> Progress:
    """整改进展; the first one moves 待整改 (and 退回重改) to 整改中."""
    problem = _working(problem, acting_user)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写整改进展"})
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ValidationError({"date": "日期不能晚于今天"})
    entry = Progress.objects.create(problem=problem, date=date, text=text[:2000], user=_user(acting_user))
    record_change(entry, before=None, acting_user=acting_user, channel=channel)
    if problem.status != Status.IN_PROGRESS:
        _move(problem, Status.IN_PROGRESS, acting_user=acting_user, channel=channel)
    return entry


@transaction.atomic
def add_evidence(problem: Problem, uploaded, *, caption: str = "", acting_user, channel) -> Evidence:
    problem = _working(problem, acting_user)
    if uploaded is None or not uploaded.size:
        raise ValidationError({"file": "请选择佐证材料文件"})
    if uploaded.size > MAX_EVIDENCE_BYTES:
        raise ValidationError({"file": f"佐证材料不能超过{MAX_EVIDENCE_BYTES // (1024 * 1024)}MB"})
    suffix = PurePath(uploaded.name).suffix.lower()
    if suffix not in EVIDENCE_SUFFIXES:
        raise ValidationError({"file": f"不支持的文件类型“{suffix or '无扩展名'}”"})
    evidence = Evidence(problem=problem, caption=(caption or "").strip()[:200],
                        original_name=PurePath(uploaded.name).name[:200], size=uploaded.size,
                        uploaded_by=_user(acting_user))
    evidence.file.save(uploaded.name, uploaded, save=False)
    evidence.save()
    record_change(evidence, before=None, acting_user=acting_user, channel=channel)
    return evidence


def _move(problem: Problem, status: str, *, acting_user, channel, note: str = "", **fields) -> Problem:
    before = snapshot(problem)
    problem.status = status
    for name, value in fields.items():
        setattr(problem, name, value)
    problem.save()
    record_change(problem, before=before, acting_user=acting_user, channel=channel, note=note[:200])
    return problem


@transaction.atomic
def submit(problem: Problem, *, note: str = "", acting_user, channel) -> Problem:
    """申请销号: the region reports the rectification done; it needs measures and at least one progress entry."""
    problem = _working(problem, acting_user)
    errors = {}
    if not problem.measures.strip():
        errors["measures"] = "申请销号前请填写整改措施"
    if not problem.progress_entries.exists():
        errors["text"] = "申请销号前请至少填报一条整改进展"
    if errors:
        raise ValidationError(errors)
    return _move(problem, Status.SUBMITTED, acting_user=acting_user, channel=channel,
                 note=f"申请销号：{note.strip()}" if note.strip() else "申请销号", submitted_at=timezone.now())


def _reviewed(problem: Problem, acting_user) -> Problem:
    problem = _locked(problem)
    if not access.may_sign_off(acting_user, problem.region_id, problem.region.level):
        level = level_label(access.signer_level(problem.region.level))
        raise PermissionDenied(f"{problem.region.name}的问题由{level}账号审核销号")
    if problem.status != Status.SUBMITTED:
        raise ValidationError(f"问题{problem.get_status_display()}，尚未申请销号")
    return problem


@transaction.atomic
def sign_off(problem: Problem, *, note: str = "", acting_user, channel) -> Problem:
    """销号: the level above the problem's region accepts the rectification."""
    problem = _reviewed(problem, acting_user)
    return _move(problem, Status.CLOSED, acting_user=acting_user, channel=channel,
                 note=f"销号：{note.strip()}" if note.strip() else "销号", closed_at=timezone.now(),
                 closed_by=_user(acting_user), review_note=note.strip()[:500])


@transaction.atomic
def reject(problem: Problem, *, note: str, acting_user, channel) -> Problem:
    """退回: the level above finds the rectification not done; the owner rectifies again."""
    problem = _reviewed(problem, acting_user)
    if not (note or "").strip():
        raise ValidationError({"note": "请填写退回原因"})
    return _move(problem, Status.RETURNED, acting_user=acting_user, channel=channel, note=f"退回：{note.strip()}",
                 review_note=note.strip()[:500], submitted_at=None)


# --- escalation ---------------------------------------------------------------------------------------------------


def _grace_days(today: dt.date):
    """region code → the escalation grace there, resolved from the parameter rows once per run."""
    rows = list(OversightParameter.objects.filter(Q(year=today.year) | Q(year__isnull=True),
                                                  code=ParameterCode.ESCALATION_GRACE).select_related("region"))
    cache: dict[str, int] = {}

    def grace(code: str) -> int:
        if code not in cache:
            best = max((p for p in rows if applies_to(p, code)), key=lambda p: (specificity(p), p.year is not None),
                       default=None)
            if best is None:
                raise ValidationError("未设置整改参数“逾期上报宽限天数”，请在整改参数页面设置")
            cache[code] = best.value
        return cache[code]

    return grace


def may_escalate(user) -> bool:
    return user is None or user.is_superuser or (
        access.may_write(user) and access.user_level(user) in (Level.COUNTY, Level.TOWNSHIP))


@transaction.atomic
def escalate(*, today: dt.date | None = None, acting_user, channel) -> list[Problem]:
    """逾期上报: every open problem past its deadline (and the grace) not yet reported is marked and so shown to the
    level above; one UPDATE for them all and one audit row each. Returns the problems reported."""
    if not may_escalate(acting_user):
        raise PermissionDenied("逾期上报由乡镇级、县级账号或系统定时任务执行")
    today = today or timezone.localdate()
    problems = Problem.objects.all() if acting_user is None else Problem.objects.visible_to(acting_user)
    candidates = list(problems.select_for_update().open().filter(deadline__lt=today, escalated_at__isnull=True)
                      .select_related("region"))
    grace = _grace_days(today)
    due = [p for p in candidates if p.deadline + dt.timedelta(days=grace(p.region_id)) < today]
    if not due:
        return []
    now = timezone.now()
    Problem.objects.filter(pk__in=[p.pk for p in due]).update(escalated_at=now)
    entries = []
    for problem in due:
        above = level_label(access.signer_level(problem.region.level))
        entries.append(build_entry(problem, before={"escalated_at": None}, after={"escalated_at": now.isoformat()},
                                   acting_user=acting_user, channel=channel,
                                   note=f"整改时限{problem.deadline:%Y年%m月%d日}已过，逾期上报{above}督办"))
        problem.escalated_at = now
    append(entries)
    return due
