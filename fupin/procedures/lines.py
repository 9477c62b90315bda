"""Poverty lines and monitoring thresholds per year and region: the most specific region wins
(county over city over province over the national figure)."""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fupin.audit.models import Action
from fupin.audit.services import record_change, snapshot
from fupin.core.scope import in_scope
from fupin.regions.models import Level, Region, ancestor_codes, most_specific
from fupin.registry.choices import IdentificationStandard

from .models import LineKind, PovertyLine

# Identification standard (识别标准) implied by the level of the line that applied.
STANDARD_BY_LEVEL = {
    None: IdentificationStandard.NATIONAL, Level.PROVINCE: IdentificationStandard.PROVINCIAL,
    Level.CITY: IdentificationStandard.MUNICIPAL, Level.COUNTY: IdentificationStandard.MUNICIPAL,
}


@dataclass(frozen=True)
class Line:
    kind: str
    year: int
    amount: Decimal
    region_code: str | None
    source: str
    line_id: int

    @property
    def standard_code(self) -> str:
        return standard_code(self.region_code)

    def as_figures(self) -> dict:
        data = asdict(self)
        data["amount"] = str(self.amount)
        return data


def standard_code(region_code: str | None) -> str:
    """识别标准 code implied by where a line was set: national, provincial, or city/county."""
    level = None if region_code is None else Region.objects.get(code=region_code).level
    return STANDARD_BY_LEVEL.get(level, IdentificationStandard.MUNICIPAL)


def resolve(kind: str, year: int, region_code: str) -> Line | None:
    lines = list(
        PovertyLine.objects.filter(kind=kind, year=year, region__isnull=True)
        | PovertyLine.objects.filter(kind=kind, year=year, region_id__in=ancestor_codes(region_code))
    )
    if not lines:
        return None
    best = most_specific(lines)
    return Line(
        kind=kind, year=year, amount=best.amount, region_code=best.region_id,
        source=f"{best.region.name if best.region_id else '国家'}{best.get_kind_display()}"
        + (f"（{best.document}）" if best.document else ""),
        line_id=best.pk,
    )


def require(kind: str, year: int, region_code: str) -> Line:
    line = resolve(kind, year, region_code)
    if line is None:
        label = LineKind(kind).label
        raise ValidationError(f"未设置{year}年度的{label}，请管理员先在“扶贫标准”中录入")
    return line


def ensure_can_edit(user, region) -> None:
    if not user.can_administer:
        raise PermissionDenied("只有系统管理员可以维护扶贫标准")
    if region is None and not user.is_superuser:
        raise PermissionDenied("全国标准只能由超级管理员维护")
    if region is not None and not in_scope(user, region.code):
        raise PermissionDenied(f"{region.name}不在当前账号的管辖范围内")


@transaction.atomic
def save_line(line: PovertyLine, *, acting_user, channel) -> PovertyLine:
    """Create or change a line. Decisions already taken keep the figures they stored, so nothing else changes."""
    ensure_can_edit(acting_user, line.region)
    if line.region_id and line.region.level not in (Level.PROVINCE, Level.CITY, Level.COUNTY):
        raise ValidationError({"region": "地方标准只能按省、市或县设置"})
    if line.amount is None or line.amount <= 0:
        raise ValidationError({"amount": "标准金额必须大于0"})
    before = None
    if line.pk:
        original = PovertyLine.objects.get(pk=line.pk)
        ensure_can_edit(acting_user, original.region)
        before = snapshot(original)
    line.full_clean()
    line.save()
    record_change(line, before=before, acting_user=acting_user, channel=channel)
    return line


@transaction.atomic
def delete_line(line: PovertyLine, *, acting_user, channel) -> None:
    ensure_can_edit(acting_user, line.region)
    record_change(line, before=snapshot(line), acting_user=acting_user, channel=channel, action=Action.DELETE)
    line.delete()
