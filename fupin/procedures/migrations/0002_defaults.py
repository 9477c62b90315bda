import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

# The lines, attachment kinds and procedure definitions as this migration installed them, frozen beside it (amounts
# as text, read as Decimal): later edits to the app's defaults do not change what an old migration writes.
DEFAULTS = Path(__file__).with_suffix(".json")


def install(apps, schema_editor):
    PovertyLine = apps.get_model("procedures", "PovertyLine")
    AttachmentKind = apps.get_model("procedures", "AttachmentKind")
    ProcedureDefinition = apps.get_model("procedures", "ProcedureDefinition")
    StepDefinition = apps.get_model("procedures", "StepDefinition")
    data = json.loads(DEFAULTS.read_text(encoding="utf-8"))
    PovertyLine.objects.bulk_create(
        PovertyLine(**{**row, "amount": Decimal(row["amount"])}) for row in data["poverty_lines"]
    )
    AttachmentKind.objects.bulk_create(AttachmentKind(**row) for row in data["attachment_kinds"])
    for row in data["procedure_definitions"]:
        steps = row.pop("steps")
        definition = ProcedureDefinition.objects.create(**row)
        StepDefinition.objects.bulk_create(StepDefinition(definition=definition, **step) for step in steps)


def remove(apps, schema_editor):
    for model in ("StepDefinition", "ProcedureDefinition", "AttachmentKind", "PovertyLine"):
        apps.get_model("procedures", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
