import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

# The national gates of 三率一度 with their sources, and the default questionnaire, frozen beside this migration;
# counties set their own gates on the configuration page and edit each assessment's copy of the questionnaire.
DATA = Path(__file__).with_suffix(".json")


def install(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    Gate = apps.get_model("assessment", "AssessmentGate")
    Question = apps.get_model("assessment", "Question")
    for row in data["gates"]:
        Gate.objects.get_or_create(rate=row["rate"], year=None, region=None,
                                   defaults={"value": Decimal(row["value"]), "source": row["source"]})
    for position, row in enumerate(data["questions"], start=1):
        Question.objects.get_or_create(assessment=None, code=row["code"], defaults={**row, "position": position})


def remove(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    apps.get_model("assessment", "AssessmentGate").objects.filter(year=None, region=None).delete()
    apps.get_model("assessment", "Question").objects.filter(
        assessment=None, code__in=[row["code"] for row in data["questions"]]).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
