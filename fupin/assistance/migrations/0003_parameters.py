import json
from pathlib import Path

from django.db import migrations

# The national defaults of the team and visit figures (docs/domain-facts.md §6), frozen beside this migration; a
# county sets its own on the parameter page.
DATA = Path(__file__).with_suffix(".json")


def install(apps, schema_editor):
    Parameter = apps.get_model("assistance", "AssistanceParameter")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["parameters"]:
        Parameter.objects.get_or_create(code=row["code"], year=None, region=None, defaults=row)


def remove(apps, schema_editor):
    codes = [row["code"] for row in json.loads(DATA.read_text(encoding="utf-8"))["parameters"]]
    apps.get_model("assistance", "AssistanceParameter").objects.filter(code__in=codes, year=None,
                                                                       region=None).delete()


class Migration(migrations.Migration):
    dependencies = [("assistance", "0002_teams_units_visit_plans")]
    operations = [migrations.RunPython(install, remove)]
