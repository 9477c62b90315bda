"""The team and visit figures (``AssistanceParameter``) resolved for a place and year: the most specific region wins
(``regions.models.most_specific``), then a figure for the exact year over one for every year."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from fupin.audit.services import record_change, snapshot
from fupin.core.scope import in_scope
from fupin.regions.models import applies_to, specificity

from .models import AssistanceParameter, ParameterCode


@dataclass(frozen=True)
class Figure:
    code: str
    value: int
    source: str
    place: str  # where it was set: the region's name, or 全国

    @property
    def label(self) -> str:
        return str(ParameterCode(self.code).label)


def _rank(parameter: AssistanceParameter) -> tuple[int, int]:
    return specificity(parameter), 1 if parameter.year is not None else 0


class Resolver:
    """All rows for one year, read once; ``figure(code, region_code)`` answers for any village in a list."""

    def __init__(self, year: int):
        self.year = year
        self.rows = list(AssistanceParameter.objects.filter(Q(year=year) | Q(year__isnull=True))
                         .select_related("region"))

    def ranked(self, code: str) -> list[AssistanceParameter]:
        """The rows of one code, the winner first wherever several cover a place."""
        return sorted((p for p in self.rows if p.code == code), key=_rank, reverse=True)

    def figure(self, code: str, region_code: str) -> Figure:
        matching = [p for p in self.rows if p.code == code and applies_to(p, region_code)]
        if not matching:
            raise ValidationError(f"未设置“{ParameterCode(code).label}”，请管理员在“帮扶参数”中录入")
        best = max(matching, key=_rank)
        return Figure(code, best.value, best.source, best.region.name if best.region_id else "全国")

    def value(self, code: str, region_code: str) -> int:
        return self.figure(code, region_code).value


def figure(code: str, year: int, region_code: str) -> Figure:
    return Resolver(year).figure(code, region_code)


def ensure_can_edit(user, region) -> None:
    if not user.can_administer:
        raise PermissionDenied("只有系统管理员可以维护帮扶参数")
    if region is None and not user.is_superuser:
        raise PermissionDenied("全国默认值只能由超级管理员维护")
    if region is not None and not in_scope(user, region.code):
        raise PermissionDenied(f"{region.name}不在当前账号的管辖范围内")


@transaction.atomic
def save_parameter(parameter: AssistanceParameter, *, acting_user, channel) -> AssistanceParameter:
    ensure_can_edit(acting_user, parameter.region)
    before = None
    if parameter.pk:
        original = AssistanceParameter.objects.select_related("region").get(pk=parameter.pk)
        ensure_can_edit(acting_user, original.region)
        before = snapshot(original)
    if parameter.code == ParameterCode.TEAM_MIN_MEMBERS and parameter.value < 1:
        raise ValidationError({"value": "驻村工作队最少人数至少为1人"})
    if not (parameter.source or "").strip():
        raise ValidationError({"source": "请填写依据（文件名称或文号）"})
    duplicate = AssistanceParameter.objects.filter(code=parameter.code, year=parameter.year,
                                                   region=parameter.region).exclude(pk=parameter.pk)
    if duplicate.exists():
        raise ValidationError("该参数在同一年度和区划已有设置，请修改原设置")
    parameter.full_clean(validate_constraints=False)
    parameter.save()
    record_change(parameter, before=before, acting_user=acting_user, channel=channel)
    return parameter
