"""贫困村出列 configuration and data: resolving the figures and the checklist for a village and year, and the writes
(figures, checklist items, a village's yearly data, checklist answers and their evidence). Every write checks the
account (``can_change``: the register's staff with write rights, in scope) and writes its audit row in the same
transaction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from fupin.accounts.models import Role
from fupin.audit.services import build_entry, record_change, snapshot
from fupin.core.scope import in_scope
from fupin.regions.models import Level, Region
from fupin.registry.access import register_work

from .models import Evidence, Indicator, IndicatorAnswer, ParameterCode, VillageParameter, VillageYear

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".webp", ".heic", ".doc", ".docx", ".xls", ".xlsx", ".ofd"}


def can_change(user, region_code: str) -> bool:
    """Village data and answers: the register's staff with write rights, in their scope."""
    return user is None or (register_work.allows(user) and user.can_write and user.role != Role.DEPARTMENT
                            and in_scope(user, region_code))


def ensure_can_change(user, region_code: str) -> None:
    if user is None:
        return
    if not (register_work.allows(user) and user.can_write and user.role != Role.DEPARTMENT):
        raise PermissionDenied("当前账号只能查看贫困村出列评估，不能修改")
    if not in_scope(user, region_code):
        raise PermissionDenied("该村不在当前账号的管辖范围内")


def can_configure(user) -> bool:
    """Figures and the checklist: a county (for its county) or an administrator (any, national too)."""
    return user is None or user.can_administer or (user.role == Role.COUNTY and user.can_write)


def _village(code: str) -> Region:
    village = Region.objects.filter(code=code, level=Level.VILLAGE).first()
    if village is None:
        raise ValidationError({"village": f"村级区划 {code} 不存在"})
    return village


# --- figures -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    value: Decimal
    source: str
    region_prefix: str


class Figures:
    """All the figures of one year loaded once; ``for_village`` picks the longest prefix covering a code, then the
    exact year over the all-years row — so a batch over a county reads the table once, not once per village."""

    def __init__(self, year: int):
        self.year = year
        self.rows = list(VillageParameter.objects.filter(Q(year=year) | Q(year__isnull=True)))

    def get(self, code: str, village_code: str) -> Figure | None:
        rows = [r for r in self.rows if r.code == code and village_code.startswith(r.region_prefix)]
        best = max(rows, key=lambda r: (len(r.region_prefix), r.year is not None), default=None)
        return Figure(best.value, best.source, best.region_prefix) if best else None


def validate_parameter(item: VillageParameter) -> None:
    errors = {}
    prefix = (item.region_prefix or "").strip()
    if prefix and not (prefix.isdigit() and len(prefix) in (2, 4, 6, 9)):
        errors["region_prefix"] = "区划代码前缀应为2、4、6或9位数字（省、市、县、乡镇）"
    if item.value is None or item.value < 0:
        errors["value"] = "取值不能为负数"
    elif item.code == ParameterCode.INCIDENCE_LIMIT and not Decimal(0) < item.value < Decimal(1):
        errors["value"] = "贫困发生率上限以小数填写，如 0.02 表示 2%"
    elif item.code == ParameterCode.GROWTH_RULE and item.value not in (Decimal(0), Decimal(1)):
        errors["value"] = "是否考核增幅填 1（考核）或 0（不考核）"
    if not (item.source or "").strip():
        errors["source"] = "请填写依据（文件名称和文号）"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_parameter(item: VillageParameter, *, acting_user, channel) -> VillageParameter:
    if not can_configure(acting_user):
        raise PermissionDenied("只有县级账号或系统管理员可以设置出列参数")
    item.region_prefix = (item.region_prefix or "").strip()
    if acting_user is not None and not acting_user.can_administer:
        own = acting_user.region.prefix if acting_user.region_id else ""
        if not item.region_prefix.startswith(own) or not own:
            raise PermissionDenied("只能设置本县及下级区划的出列参数")
    validate_parameter(item)
    duplicate = VillageParameter.objects.filter(code=item.code, year=item.year, region_prefix=item.region_prefix)
    if duplicate.exclude(pk=item.pk).exists():
        raise ValidationError({"code": "该区划和年度已有此参数，请修改原有记录"})
    before = snapshot(VillageParameter.objects.get(pk=item.pk)) if item.pk else None
    item.save()
    record_change(item, before=before, acting_user=acting_user, channel=channel,
                  region_code=item.region_prefix.ljust(12, "0") if item.region_prefix else "")
    return item


# --- checklist ---------------------------------------------------------------------------------------------------


def indicators_for(village_codes) -> dict[str, list[Indicator]]:
    """The checklist of each village: the active items of the most specific region that has any (one query)."""
    items = list(Indicator.objects.filter(active=True).select_related("region").order_by("position", "code"))
    by_region: dict[str, list[Indicator]] = {}
    for item in items:
        by_region.setdefault(item.region.prefix if item.region_id else "", []).append(item)
    result = {}
    for code in village_codes:
        prefixes = [p for p in by_region if code.startswith(p)]
        result[code] = by_region[max(prefixes, key=len)] if prefixes else []
    return result


@transaction.atomic
def save_indicator(item: Indicator, *, acting_user, channel) -> Indicator:
    if not can_configure(acting_user):
        raise PermissionDenied("只有县级账号或系统管理员可以维护出列指标清单")
    if acting_user is not None and not acting_user.can_administer:
        if item.region_id is None or not in_scope(acting_user, item.region_id):
            raise PermissionDenied("只能维护本县的出列指标清单")
    errors = {}
    if not (item.code or "").strip():
        errors["code"] = "请填写指标代码"
    if not (item.name or "").strip():
        errors["name"] = "请填写指标名称"
    if item.region_id and item.region.level not in (Level.PROVINCE, Level.CITY, Level.COUNTY):
        errors["region"] = "指标清单按省、市或县设置"
    if Indicator.objects.filter(region=item.region_id, code=item.code).exclude(pk=item.pk).exists():
        errors["code"] = f"该区划已有代码为 {item.code} 的指标"
    if errors:
        raise ValidationError(errors)
    before = snapshot(Indicator.objects.get(pk=item.pk)) if item.pk else None
    item.save()
    record_change(item, before=before, acting_user=acting_user, channel=channel, region_code=item.region_id or "")
    return item


# --- a village's year --------------------------------------------------------------------------------------------


def validate_village_year(row: VillageYear) -> dict[str, str]:
    errors = {}
    if row.year is None or not 2000 <= row.year <= 2100:
        errors["year"] = "年度应在2000至2100之间"
    if row.rural_population is not None and row.rural_population <= 0:
        errors["rural_population"] = "农业户籍人口应大于0"
    for name, label in (("collective_income", "村集体经济收入"), ("per_capita_income", "人均可支配收入")):
        value = getattr(row, name)
        if value is not None and value < 0:
            errors[name] = f"{label}不能为负数"
    return errors


@transaction.atomic
def save_village_year(row: VillageYear, *, acting_user, channel, note: str = "") -> VillageYear:
    village = _village(row.village_id)
    ensure_can_change(acting_user, village.code)
    if errors := validate_village_year(row):
        raise ValidationError(errors)
    existing = VillageYear.objects.select_for_update().filter(village=village, year=row.year).first()
    if existing is not None and existing.pk != row.pk:
        row.pk = existing.pk
    before = snapshot(existing) if existing else None
    row.updated_by = acting_user
    row.save()
    record_change(row, before=before, acting_user=acting_user, channel=channel,
                  note=note or f"{village.name}{row.year}年出列数据")
    return row


@transaction.atomic
def answer(village: Region, year: int, indicator: Indicator, *, met: bool, note: str = "", acting_user,
           channel) -> IndicatorAnswer:
    ensure_can_change(acting_user, village.code)
    if village.level != Level.VILLAGE:
        raise ValidationError({"village": "只能为村填写出列指标"})
    if indicator.pk not in {i.pk for i in indicators_for([village.code])[village.code]}:
        raise ValidationError({"indicator": f"指标“{indicator.name}”不在该村适用的出列指标清单中"})
    if met is None:
        raise ValidationError({"met": "请选择是否达标"})
    item = IndicatorAnswer.objects.select_for_update().filter(village=village, year=year, indicator=indicator).first()
    before = snapshot(item) if item else None
    item = item or IndicatorAnswer(village=village, year=year, indicator=indicator)
    item.met, item.note, item.updated_by = bool(met), (note or "").strip()[:300], acting_user
    item.save()
    record_change(item, before=before, acting_user=acting_user, channel=channel,
                  note=f"{year}年“{indicator.name}”{'达标' if met else '未达标'}")
    return item


@transaction.atomic
def add_evidence(item: IndicatorAnswer, uploaded, *, acting_user, channel) -> Evidence:
    ensure_can_change(acting_user, item.village_id)
    if uploaded is None or not uploaded.size:
        raise ValidationError({"file": "请选择佐证材料"})
    if uploaded.size > MAX_EVIDENCE_BYTES:
        raise ValidationError({"file": f"佐证材料不能超过{MAX_EVIDENCE_BYTES // (1024 * 1024)}MB"})
    suffix = PurePath(uploaded.name).suffix.lower()
    if suffix not in EVIDENCE_SUFFIXES:
        raise ValidationError({"file": f"不支持的文件类型“{suffix or '无扩展名'}”"})
    evidence = Evidence(answer=item, original_name=PurePath(uploaded.name).name[:200], size=uploaded.size,
                        uploaded_by=acting_user)
    evidence.file.save(uploaded.name, uploaded, save=False)
    evidence.save()
    build_entry(item, before=None, after={"file": evidence.file.name, "original_name": evidence.original_name,
                                          "size": evidence.size}, acting_user=acting_user, channel=channel,
                note=f"上传佐证材料{evidence.original_name}"[:200]).save()
    return evidence
