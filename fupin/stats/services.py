"""Reading the figures (always from the aggregate table, a fixed number of queries whatever the number of
households), starting rebuilds, and the writes of targets, each audited."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.accounts.models import READ_ONLY_ROLES, Role
from fupin.audit.models import Action
from fupin.audit.services import record_change, snapshot
from fupin.core.scope import in_scope, user_scope_prefix
from fupin.dictionaries.services import code_tables
from fupin.jobs import services as jobs
from fupin.regions.models import PREFIX_LENGTH, Level, Region

from .indicators import CATALOGUE
from .models import Figure, Rebuild, Target

REBUILD_JOB = "stats.rebuild"
ZERO = Decimal(0)


def current_year() -> int:
    return timezone.localdate().year


# --- regions ----------------------------------------------------------------------------------------------------


def home_region(user) -> Region | None:
    """The region an account's figures start from: its own; the province for an account bound to none."""
    if user.region_id:
        return user.region
    return Region.objects.filter(level=Level.PROVINCE).order_by("code").first()


def region_for(user, code: str | None) -> Region:
    """The region a page asks for (``?region=``), refused when outside the account's scope."""
    prefix = user_scope_prefix(user)
    if prefix is None:
        raise PermissionDenied("无权查看统计数据")
    if not code:
        region = home_region(user)
        if region is None:
            raise PermissionDenied("尚未建立行政区划")
        return region
    region = Region.objects.filter(code=code).first()
    if region is None or not in_scope(user, region.code):
        raise PermissionDenied("该区划不在本账号的数据范围内")
    return region


def breadcrumbs(user, region: Region) -> list[Region]:
    """The path from the account's own region down to ``region`` (never above the account's scope)."""
    prefix = user_scope_prefix(user) or ""
    return [r for r in region.path() if r.code.startswith(prefix) and len(r.prefix) >= len(prefix)]


# --- figures ----------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Figures of some regions for one year: ``value(code, indicator, dim=None)`` (None = total over dims)."""

    rows: dict

    def value(self, code: str, indicator: str, dim: str | None = None) -> Decimal:
        spec = CATALOGUE[indicator]
        if spec.ratio:
            return percent(self.value(code, spec.ratio[0]), self.value(code, spec.ratio[1]))
        dims = self.rows.get((code, indicator), {})
        return dims.get(dim, ZERO) if dim is not None else sum(dims.values(), ZERO)

    def dims(self, code: str, indicator: str) -> dict[str, Decimal]:
        return self.rows.get((code, indicator), {})


def percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return (numerator * 100 / denominator).quantize(Decimal("0.1")) if denominator else None


def stored(codes) -> set[str]:
    """The stored indicators behind ``codes`` (a ratio reads its two parts)."""
    out = set()
    for code in codes:
        spec = CATALOGUE[code]
        out.update(spec.ratio or (code,))
    return out


def read(region_codes, year: int, indicators) -> Figures:
    """One query: the figures of the regions and indicators of a year."""
    rows: dict = {}
    queryset = Figure.objects.filter(region_code__in=list(region_codes), year=year, indicator__in=stored(indicators))
    for code, indicator, dim, value in queryset.values_list("region_code", "indicator", "dimension", "value"):
        rows.setdefault((code, indicator), {})[dim] = value
    return Figures(rows)


def dimension_labels(indicators) -> dict[str, dict]:
    """indicator → {dim: label}; the code tables in one query."""
    specs = [CATALOGUE[code] for code in indicators]
    tables = code_tables({s.dictionary for s in specs if s.dictionary})
    return {s.code: tables[s.dictionary] if s.dictionary else (s.labels() if s.labels else {}) for s in specs}


def updated_at(region: Region, year: int) -> Rebuild | None:
    """The latest rebuild covering the region (its county's or the whole platform's)."""
    prefixes = {""} | ({region.code[:PREFIX_LENGTH[Level.COUNTY]]} if region.level >= Level.COUNTY else set())
    return Rebuild.objects.filter(year=year, prefix__in=prefixes).order_by("-finished").first()


def years() -> list[int]:
    found = sorted(set(Rebuild.objects.values_list("year", flat=True)), reverse=True)
    return found or [current_year()]


# --- rebuilds ---------------------------------------------------------------------------------------------------


# The batches after which the figures are rebuilt: imports, monitoring and comparison runs, the adjustment, loads.
BATCH_KINDS: set[str] = set()


def register_batch(*kinds: str) -> None:
    BATCH_KINDS.update(kinds)


def rebuild_scope(region_code: str) -> str:
    """The county a batch touched ('' when it was not one county's)."""
    length = PREFIX_LENGTH[Level.COUNTY]
    return region_code[:length] if len(region_code) >= length else ""


def may_rebuild(user) -> bool:
    return user.is_superuser or (user.role == Role.COUNTY and user.is_active)


def start_rebuild(*, year: int | None = None, prefix: str = "", user=None, trigger: str = ""):
    year = year or current_year()
    return jobs.start(REBUILD_JOB, f"统计数据重算（{year}年）", user=user,
                      params={"year": year, "prefix": prefix, "trigger": trigger},
                      region_code=prefix.ljust(12, "0") if prefix else "")


def request_rebuild(user, year: int):
    """The 重算 button: a county account rebuilds its county."""
    if not may_rebuild(user):
        raise PermissionDenied("只有县级账号可以重算统计数据")
    return start_rebuild(year=year, prefix=rebuild_scope(user.region_id or ""), user=user, trigger="手动重算")


def after_batch(sender, job, **kwargs) -> None:
    """A batch job succeeded: queue the rebuild of its county, for the year it names (else the current one)."""
    if job.kind not in BATCH_KINDS:
        return
    year = job.params.get("year") if isinstance(job.params.get("year"), int) else None
    start_rebuild(year=year, prefix=rebuild_scope(job.region_code or ""), user=job.user,
                  trigger=job.title[:100])


# --- targets ----------------------------------------------------------------------------------------------------


def may_set_targets(user) -> bool:
    """目标任务 are the county's: its staff (and the administrator) set them; others read them."""
    return user.is_superuser or (user.role in (Role.COUNTY, Role.ADMIN) and user.role not in READ_ONLY_ROLES)


def _check_target(user, region: Region, indicator: str, value) -> None:
    if not may_set_targets(user):
        raise PermissionDenied("只有县级账号可以设置目标任务")
    if not in_scope(user, region.code):
        raise PermissionDenied("该区划不在本账号的数据范围内")
    if indicator not in CATALOGUE or CATALOGUE[indicator].ratio:
        raise ValidationError({"indicator": "指标不存在或不能设目标"})
    if value is None or value < 0:
        raise ValidationError({"value": "目标值应为不小于0的数"})


def save_target(user, *, region: Region, year: int, indicator: str, value, note: str = "", channel: str,
                target: Target | None = None) -> Target:
    _check_target(user, region, indicator, value)
    with transaction.atomic():
        if target is None:
            target = Target.objects.filter(region=region, year=year, indicator=indicator).first()
        before = snapshot(target) if target else None
        target = target or Target(created_by=user)
        target.region, target.year, target.indicator, target.value, target.note = region, year, indicator, value, note
        target.save()
        record_change(target, before=before, acting_user=user, channel=channel)
    return target


def delete_target(user, target: Target, *, channel: str) -> None:
    _check_target(user, target.region, target.indicator, target.value)
    with transaction.atomic():
        before = snapshot(target)
        record_change(target, before=before, acting_user=user, channel=channel, action=Action.DELETE)
        target.delete()


@dataclass
class Progress:
    target: Target
    actual: Decimal

    @property
    def share(self) -> Decimal | None:
        return percent(self.actual, self.target.value)


def progress(targets) -> list[Progress]:
    """Each target against its figure (one query for all of them, per year)."""
    targets = list(targets)
    out = {}
    for year in {t.year for t in targets}:
        of_year = [t for t in targets if t.year == year]
        figures = read({t.region_id for t in of_year}, year, {t.indicator for t in of_year})
        out.update({t.pk: figures.value(t.region_id, t.indicator) for t in of_year})
    return [Progress(t, out[t.pk]) for t in targets]


def visible_targets(user):
    return Target.objects.visible_to(user).select_related("region")


IMPORT_HEADER = ("区划代码", "年度", "指标", "目标值", "说明")


def import_targets(user, path, *, filename: str, channel: str) -> int:
    """目标任务 from a workbook (``IMPORT_HEADER``; 指标 by code or Chinese name): every row checked first, then all
    saved in one transaction, or none with the errors by row."""
    from fupin.core.excel import SpreadsheetError, read

    if not may_set_targets(user):
        raise PermissionDenied("只有县级账号可以设置目标任务")
    try:
        sheet = read(path, filename=filename)
    except SpreadsheetError as exc:
        raise ValidationError(str(exc)) from exc
    missing = [h for h in IMPORT_HEADER[:4] if h not in sheet.header]
    if missing:
        raise ValidationError(f"缺少列：{'、'.join(missing)}（请使用下载的模板）")
    at = {h: sheet.header.index(h) for h in IMPORT_HEADER if h in sheet.header}
    by_name = {spec.name: code for code, spec in CATALOGUE.indicators.items()}
    rows = list(sheet.rows)
    regions = {r.code: r for r in Region.objects.visible_to(user).filter(code__in={row[at["区划代码"]] for row in rows})}
    errors, parsed = [], []
    for row in rows:
        code, indicator = row[at["区划代码"]], row[at["指标"]]
        indicator = by_name.get(indicator, indicator)
        try:
            year, value = int(row[at["年度"]]), Decimal(row[at["目标值"]])
        except (ValueError, ArithmeticError):
            errors.append(f"第{row.number}行：年度或目标值不是数字")
            continue
        if code not in regions:
            errors.append(f"第{row.number}行：区划代码“{code}”不存在或不在本账号的数据范围内")
        elif indicator not in CATALOGUE or CATALOGUE[indicator].ratio:
            errors.append(f"第{row.number}行：指标“{row[at['指标']]}”不在指标目录中或不能设目标")
        elif value < 0:
            errors.append(f"第{row.number}行：目标值应不小于0")
        else:
            note = row[at["说明"]] if "说明" in at else ""
            parsed.append((regions[code], year, indicator, value, note[:200]))
    if errors:
        raise ValidationError(errors[:50])
    if not parsed:
        raise ValidationError("文件中没有目标任务")
    with transaction.atomic():
        for region, year, indicator, value, note in parsed:
            save_target(user, region=region, year=year, indicator=indicator, value=value, note=note, channel=channel)
    return len(parsed)
