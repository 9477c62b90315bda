import json
from pathlib import Path

from django.db import migrations

# The national identification and exit chains as the county rectification plan checks them (户申请、村民代表大会
# 评议、村级公示、乡镇审核、乡镇公示、县级审批、县级公告; docs/domain-facts.md §3.2, §3.3), with deadlines in working
# days, and the national holiday calendar for 2025 and 2026 (国务院办公厅 部分节假日安排), frozen beside this migration.
#
# A national definition is replaced in place only while it is still exactly what 0002 installed: an administrator's
# edit is never overwritten (that definition stays as edited; the new chain can be entered on the definition page).
# Replacing in place is safe for running procedures, which keep their own copies of the steps.
DATA = Path(__file__).with_suffix(".json")
PREVIOUS = Path(__file__).with_name("0002_defaults.json")
STEP_KEYS = ("order", "name", "actor_level", "deadline_days", "working_days", "attachment_kinds", "notice_days",
             "notice_kind", "description")
OLD_STEP = {"working_days": False, "notice_kind": "publicity", "description": ""}


def _state(definition) -> tuple:
    steps = tuple(tuple(getattr(s, k) for k in STEP_KEYS) for s in definition.steps.order_by("order"))
    return definition.name, definition.description, definition.active, steps


def _target(row: dict) -> tuple:
    steps = tuple(tuple({**OLD_STEP, **s}[k] for k in STEP_KEYS) for s in sorted(row["steps"], key=lambda s: s["order"]))
    return row["name"], row["description"], True, steps


def _replace(apps, frm: dict, to: dict) -> None:
    ProcedureDefinition = apps.get_model("procedures", "ProcedureDefinition")
    StepDefinition = apps.get_model("procedures", "StepDefinition")
    for kind, new in to.items():
        definition = ProcedureDefinition.objects.filter(kind=kind, region__isnull=True).first()
        if definition is None or _state(definition) != _target(frm[kind]):
            continue
        definition.name, definition.description = new["name"], new["description"]
        definition.save()
        definition.steps.all().delete()
        StepDefinition.objects.bulk_create(
            StepDefinition(definition=definition, **{**OLD_STEP, **s}) for s in new["steps"]
        )


def _previous() -> dict:
    return {row["kind"]: row for row in json.loads(PREVIOUS.read_text(encoding="utf-8"))["procedure_definitions"]}


def install(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    previous = _previous()
    _replace(apps, previous, data["procedure_definitions"])
    CalendarDay = apps.get_model("procedures", "CalendarDay")
    for row in data["calendar"]:
        CalendarDay.objects.get_or_create(date=row["date"], region=None, defaults={
            "kind": row["kind"], "name": row["name"], "document": row["document"]})


def remove(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    new = data["procedure_definitions"]
    _replace(apps, new, {kind: row for kind, row in _previous().items() if kind in new})
    CalendarDay = apps.get_model("procedures", "CalendarDay")
    for row in data["calendar"]:
        CalendarDay.objects.filter(date=row["date"], region=None, kind=row["kind"], name=row["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0005_working_days")]
    operations = [migrations.RunPython(install, remove)]
