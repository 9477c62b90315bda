import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

# The procedures 风险再标注 and 风险消除回退 (village → township → county, with a village notice as for inclusion,
# docs/domain-facts.md §2.2) and the window within which an elimination may be rolled back, frozen beside this
# migration.
DATA = Path(__file__).with_suffix(".json")


def load():
    return json.loads(DATA.read_text(encoding="utf-8"))


def install(apps, schema_editor):
    Parameter = apps.get_model("monitoring", "Parameter")
    ProcedureDefinition = apps.get_model("procedures", "ProcedureDefinition")
    StepDefinition = apps.get_model("procedures", "StepDefinition")
    data = load()
    for row in data["parameters"]:
        Parameter.objects.get_or_create(code=row["code"], year=None, region=None,
                                        defaults={**row, "value": Decimal(row["value"])})
    for row in data["procedure_definitions"]:
        steps = row.pop("steps")
        definition, created = ProcedureDefinition.objects.get_or_create(
            kind=row["kind"], region=None, defaults={"name": row["name"], "description": row["description"]})
        if created:
            StepDefinition.objects.bulk_create(StepDefinition(definition=definition, **step) for step in steps)


def remove(apps, schema_editor):
    data = load()
    kinds = [row["kind"] for row in data["procedure_definitions"]]
    apps.get_model("procedures", "ProcedureDefinition").objects.filter(kind__in=kinds, region=None).delete()
    codes = [row["code"] for row in data["parameters"]]
    apps.get_model("monitoring", "Parameter").objects.filter(code__in=codes, year=None, region=None).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0006_severity_bands"), ("procedures", "0004_monitoring_lines")]
    operations = [migrations.RunPython(install, remove)]
