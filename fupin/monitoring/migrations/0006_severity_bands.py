import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

# Severity bands of the default monitoring rules (一般/较重/严重 by how far past the threshold), their parameters,
# and the rule on the medical self-pay share of in-policy costs (seed 001: below 10 %), frozen beside this migration.
DATA = Path(__file__).with_suffix(".json")


def install(apps, schema_editor):
    Parameter = apps.get_model("monitoring", "Parameter")
    Rule = apps.get_model("monitoring", "Rule")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for row in data["parameters"]:
        Parameter.objects.get_or_create(code=row["code"], year=None, region=None,
                                        defaults={**row, "value": Decimal(row["value"])})
    # Only the national rows still as 0002 installed them: a rule an administrator rewrote keeps its own grade.
    for row in data["gradings"]:
        Rule.objects.filter(code=row["code"], region=None, condition=row["condition"]).update(
            severity=row["severity"], heavier_condition=row["heavier_condition"],
            severe_condition=row["severe_condition"],
        )
    for row in data["rules"]:
        Rule.objects.get_or_create(code=row["code"], region=None, defaults=row)


def remove(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    apps.get_model("monitoring", "Rule").objects.filter(code__in=[r["code"] for r in data["rules"]],
                                                         region=None).delete()
    apps.get_model("monitoring", "Parameter").objects.filter(code__in=[p["code"] for p in data["parameters"]],
                                                              year=None, region=None).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0005_income_check_severity_bands")]
    operations = [migrations.RunPython(install, remove)]
