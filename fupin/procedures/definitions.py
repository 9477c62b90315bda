"""Editing procedure definitions: the steps are data an administrator changes, within the admin's region."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fupin.audit.services import build_entry
from fupin.core.scope import in_scope
from fupin.regions.models import Level

from .models import AttachmentKind, NoticeKind, ProcedureDefinition, StepDefinition

STEP_FIELDS = ("order", "name", "actor_level", "deadline_days", "working_days", "attachment_kinds", "notice_days",
               "notice_kind", "description")
STEP_DEFAULTS = {"working_days": True, "notice_kind": NoticeKind.PUBLICITY, "attachment_kinds": "", "description": ""}


def ensure_can_edit(user, region) -> None:
    if not user.can_administer:
        raise PermissionDenied("只有系统管理员可以配置程序流程")
    if region is None and not user.is_superuser:
        raise PermissionDenied("全国默认流程只能由超级管理员修改；请先复制为本地流程再修改")
    if region is not None and not in_scope(user, region.code):
        raise PermissionDenied(f"{region.name}不在当前账号的管辖范围内")


def steps_of(definition: ProcedureDefinition) -> list[dict]:
    return [{f: getattr(s, f) for f in STEP_FIELDS} for s in definition.steps.all()]


def _validate(steps: list[dict]) -> None:
    if not steps:
        raise ValidationError("流程至少要有一个环节")
    orders = [s["order"] for s in steps]
    if len(set(orders)) != len(orders):
        raise ValidationError("环节顺序号不能重复")
    known = set(AttachmentKind.objects.values_list("code", flat=True))
    problems = []
    for step in steps:
        label = f"第{step['order']}环节“{step['name']}”"
        if step["actor_level"] not in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE):
            problems.append(f"{label}的办理层级应为村、乡镇或县")
        if not 1 <= step["deadline_days"] <= 365:
            problems.append(f"{label}的时限应在1至365天之间")
        if step["notice_days"] < 0:
            problems.append(f"{label}的公示天数不能为负")
        if step["notice_kind"] not in NoticeKind.values:
            problems.append(f"{label}的公示类别应为公示或公告")
        unknown = [k for k in step["attachment_kinds"].split(",") if k and k not in known]
        if unknown:
            problems.append(f"{label}的附件类别“{'、'.join(unknown)}”不存在")
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def save_definition(definition: ProcedureDefinition, steps: list[dict], *, acting_user, channel) -> ProcedureDefinition:
    """Replace a definition's steps (running procedures keep their own copies, so nothing running changes)."""
    ensure_can_edit(acting_user, definition.region)
    if not (definition.name or "").strip():
        raise ValidationError({"name": "请填写流程名称"})
    steps = sorted(
        ({**STEP_DEFAULTS, **{k: v for k, v in s.items() if v is not None}} for s in steps), key=lambda s: s["order"],
    )
    _validate(steps)
    before = None
    if definition.pk:
        original = ProcedureDefinition.objects.get(pk=definition.pk)
        before = {"name": original.name, "active": original.active, "steps": steps_of(original)}
    definition.save()
    definition.steps.all().delete()
    StepDefinition.objects.bulk_create(StepDefinition(definition=definition, **s) for s in steps)
    after = {"name": definition.name, "active": definition.active, "steps": steps_of(definition)}
    build_entry(definition, before=before, after=after, acting_user=acting_user, channel=channel,
                note="配置程序流程").save()
    return definition


@transaction.atomic
def copy_definition(definition: ProcedureDefinition, region, *, acting_user, channel) -> ProcedureDefinition:
    """A local copy of a definition for the admin's own province, city or county, to edit from there."""
    if region is None or region.level not in (Level.PROVINCE, Level.CITY, Level.COUNTY):
        raise ValidationError("本地流程按省、市或县设置")
    if ProcedureDefinition.objects.filter(kind=definition.kind, region=region).exists():
        raise ValidationError(f"{region.name}已有本地{definition.get_kind_display()}流程")
    copy = ProcedureDefinition(kind=definition.kind, region=region, name=definition.name,
                               description=definition.description, active=True)
    return save_definition(copy, steps_of(definition), acting_user=acting_user, channel=channel)
