"""The limits of 扶贫小额信贷 that apply to a place and year: the most specific region wins, then the exact year."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from fupin.audit.services import record_change, snapshot
from fupin.core.scope import in_scope
from fupin.regions.models import ancestor_codes, most_specific, specificity

from .models import CreditParameter


class Resolver:
    """Resolves parameters once per (county, year) for a batch (an import, a subsidy run)."""

    def __init__(self):
        self._cache: dict[tuple[str, int], CreditParameter] = {}

    def __call__(self, region_code: str, year: int) -> CreditParameter:
        key = (region_code, year)
        if key not in self._cache:
            self._cache[key] = resolve(region_code, year)
        return self._cache[key]


def resolve(region_code: str | None, year: int) -> CreditParameter:
    """``region_code`` None: the national figures (an account bound to no region, the system)."""
    regions = Q(region__isnull=True)
    if region_code:
        regions |= Q(region_id__in=ancestor_codes(region_code))
    candidates = list(
        CreditParameter.objects.filter(regions)
        .filter(Q(year__isnull=True) | Q(year=year)).select_related("region")
    )
    best = most_specific(candidates)
    if best is None:
        raise ValidationError(f"未设置{year}年度的小额信贷参数，请管理员先在“小额信贷参数”中录入")
    same_region = [c for c in candidates if specificity(c) == specificity(best)]
    return next((c for c in same_region if c.year == year), best)


def source(parameter: CreditParameter) -> str:
    """Where a figure comes from, for a refusal: 「舞钢市2024年小额信贷参数（文件依据）」."""
    return f"{parameter}（{parameter.document}）" if parameter.document else str(parameter)


def ensure_can_edit(user, region) -> None:
    if user is None:
        return
    if not user.can_administer:
        raise PermissionDenied("只有系统管理员可以维护小额信贷参数")
    if region is None and not (user.is_superuser and user.region_id is None):
        raise PermissionDenied("全国默认参数只能由超级管理员修改；请为本辖区另设参数")
    if region is not None and not in_scope(user, region.code):
        raise PermissionDenied(f"{region.name}不在当前账号的管辖范围内")


@transaction.atomic
def save_parameter(parameter: CreditParameter, *, acting_user, channel) -> CreditParameter:
    ensure_can_edit(acting_user, parameter.region)
    before = None
    if parameter.pk:
        original = CreditParameter.objects.select_related("region").get(pk=parameter.pk)
        ensure_can_edit(acting_user, original.region)
        before = snapshot(original)
    errors = {}
    if parameter.min_age is not None and parameter.max_age is not None and parameter.min_age > parameter.max_age:
        errors["max_age"] = "最高年龄不能小于最低年龄"
    if (parameter.subsidy_principal_cap is not None and parameter.max_amount is not None
            and parameter.subsidy_principal_cap > parameter.max_amount):
        errors["subsidy_principal_cap"] = "享受贴息的本金上限不能超过单户贷款上限"
    same = CreditParameter.objects.filter(year=parameter.year, region=parameter.region).exclude(pk=parameter.pk)
    if same.exists():
        errors["year"] = "该区划该年度已有小额信贷参数，请直接修改"
    if errors:
        raise ValidationError(errors)
    parameter.full_clean(validate_constraints=False)
    parameter.save()
    record_change(parameter, before=before, acting_user=acting_user, channel=channel)
    return parameter
