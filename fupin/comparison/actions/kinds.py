"""Defining data set kinds (with their fields) and administrators' own comparison rules."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fupin.audit.services import record_change, snapshot

from .. import rules as rule_book
from ..access import can_manage_kinds
from ..engine import plan_error
from ..kinds import BUILTIN_BY_CODE as BUILTIN_KINDS
from ..kinds import ID_FIELD, Kind
from ..models import CustomRule, DatasetKind, FieldType, KindField


def save_kind(kind: DatasetKind, fields_formset=None, *, acting_user, channel: str) -> DatasetKind:
    """Create or edit a kind (and its fields); every kind keeps its 证件号码 and 姓名 fields."""
    if not can_manage_kinds(acting_user):
        raise PermissionDenied("只有系统管理员可以定义数据类型")
    before = snapshot(DatasetKind.objects.get(pk=kind.pk)) if kind.pk else None
    with transaction.atomic():
        kind.save()
        if fields_formset is not None:
            fields_formset.instance = kind
            fields_formset.save()
        present = set(kind.fields.values_list("name", flat=True))
        standard = (BUILTIN_KINDS.get(kind.code) or Kind(kind.code, kind.name, "", "", False, ())).all_fields[:2]
        KindField.objects.bulk_create([
            KindField(kind=kind, name=f.name, label=f.label, required=f.required, aliases="、".join(f.aliases),
                      position=0)
            for f in standard if f.name not in present
        ])
        KindField.objects.filter(kind=kind, name=ID_FIELD).update(required=True, type=FieldType.TEXT)
        record_change(kind, before=before, acting_user=acting_user, channel=channel, region_code="")
    return kind


def save_custom_rule(custom: CustomRule, *, acting_user, channel: str) -> CustomRule:
    """Create or edit an administrator's rule; its condition is checked, then planned by DuckDB, before saving."""
    if not can_manage_kinds(acting_user):
        raise PermissionDenied("只有系统管理员可以定义比对规则")
    if custom.code in rule_book.BUILTIN_BY_CODE:
        raise ValidationError({"code": f"“{custom.code}”是内置规则的代码，请换一个"})
    fields = list(custom.kind.fields.values_list("name", "type"))
    problems = rule_book.check_condition(custom.condition, custom.mode, [name for name, _type in fields])
    if not problems:
        error = plan_error(rule_book.compile_custom(custom), fields)
        if error:
            problems.append(f"条件无法执行：{error}")
    if problems:
        raise ValidationError({"condition": problems})
    before = snapshot(CustomRule.objects.get(pk=custom.pk)) if custom.pk else None
    with transaction.atomic():
        custom.save()
        record_change(custom, before=before, acting_user=acting_user, channel=channel, region_code="")
    return custom
