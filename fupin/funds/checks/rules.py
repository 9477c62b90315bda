"""The rule book: the built-in rules (frozen in ``migrations/builtin_rules.json``, installed by migration 0004)
and administrators' custom rules, all ``FundRule`` rows with a condition over the disbursement-facts table."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fupin.audit.services import record_change, snapshot

from ..models import FundRule
from .access import can_manage_rules
from .conditions import ConditionError, validate
from .engine import CheckRule

CODE = re.compile(r"^[a-z][a-z0-9_]{1,19}$")
EDITABLE_BUILTIN = ("enabled", "severity")



def compiled(rules) -> tuple[list[tuple[FundRule, CheckRule]], list[str]]:
    """(rule, CheckRule) for each rule whose condition is valid; a warning for each that is not."""
    result, warnings = [], []
    for rule in rules:
        try:
            result.append((rule, CheckRule(rule.code, validate(rule.condition))))
        except ConditionError as exc:
            warnings.append(f"规则“{rule.name}”的条件无效，未执行：{exc}")
    return result, warnings


def enabled_rules(codes: list[str] | None = None):
    queryset = FundRule.objects.filter(enabled=True).order_by("code")
    if codes:
        queryset = queryset.filter(code__in=codes)
    return compiled(queryset)


def save_rule(rule: FundRule | None, data: dict, *, acting_user, channel: str) -> FundRule:
    """Create a custom rule or change one (a built-in rule: only whether it is enabled and its severity)."""
    if not can_manage_rules(acting_user):
        raise PermissionDenied("只有系统管理员可以维护资金异常规则")
    creating = rule is None
    rule = rule or FundRule(builtin=False)
    before = None if creating else snapshot(rule)
    fields = EDITABLE_BUILTIN if rule.builtin else ("code", "name", "description", "condition", "severity",
                                                   "enabled")
    if not creating:
        fields = tuple(f for f in fields if f != "code")
    for name in fields:
        if name in data:
            value = data[name]
            setattr(rule, name, value.strip() if isinstance(value, str) else value)
    errors = {}
    if creating:
        if not CODE.match(rule.code or ""):
            errors["code"] = "规则代码以小写字母开头，只含小写字母、数字和下划线，2至20位"
        elif FundRule.objects.filter(code=rule.code).exists():
            errors["code"] = f"规则代码 {rule.code} 已被使用"
    if not rule.builtin:
        if not (rule.name or "").strip():
            errors["name"] = "请填写规则名称"
        try:
            validate(rule.condition)
        except ConditionError as exc:
            errors["condition"] = str(exc)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule.save()
        record_change(rule, before=before, acting_user=acting_user, channel=channel,
                      note="新增资金异常规则" if creating else "修改资金异常规则")
    return rule
