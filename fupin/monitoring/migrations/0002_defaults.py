import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

# The parameters, rules and procedure definitions as this migration installed them, frozen beside it (values as
# text, read as Decimal): later edits to the app's defaults do not change what an old migration writes.
DEFAULTS = Path(__file__).with_suffix(".json")


def load():
    return json.loads(DEFAULTS.read_text(encoding="utf-8"))


def install(apps, schema_editor):
    Parameter = apps.get_model("monitoring", "Parameter")
    Rule = apps.get_model("monitoring", "Rule")
    ProcedureDefinition = apps.get_model("procedures", "ProcedureDefinition")
    StepDefinition = apps.get_model("procedures", "StepDefinition")
    data = load()
    Parameter.objects.bulk_create(Parameter(**{**row, "value": Decimal(row["value"])}) for row in data["parameters"])
    Rule.objects.bulk_create(Rule(**row) for row in data["rules"])
    for row in data["procedure_definitions"]:
        steps = row.pop("steps")
        definition = ProcedureDefinition.objects.create(**row)
        StepDefinition.objects.bulk_create(StepDefinition(definition=definition, **step) for step in steps)


def remove(apps, schema_editor):
    kinds = [row["kind"] for row in load()["procedure_definitions"]]
    apps.get_model("procedures", "ProcedureDefinition").objects.filter(kind__in=kinds).delete()
    apps.get_model("monitoring", "Rule").objects.all().delete()
    apps.get_model("monitoring", "Parameter").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial"), ("procedures", "0002_defaults")]
    operations = [migrations.RunPython(install, remove)]
