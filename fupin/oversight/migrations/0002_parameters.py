import json
from pathlib import Path

from django.db import migrations

# The default deadlines per category and the escalation grace, each with its source, frozen beside this migration;
# counties set their own on the parameter page.
DATA = Path(__file__).with_suffix(".json")


def install(apps, schema_editor):
    OversightParameter = apps.get_model("oversight", "OversightParameter")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["parameters"]:
        OversightParameter.objects.get_or_create(code=row["code"], year=None, region=None, defaults=row)


def remove(apps, schema_editor):
    codes = [row["code"] for row in json.loads(DATA.read_text(encoding="utf-8"))["parameters"]]
    apps.get_model("oversight", "OversightParameter").objects.filter(code__in=codes, year=None, region=None).delete()


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
