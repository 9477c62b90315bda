import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

# The policy ages (义务教育, 劳动年龄 and the 城乡居民基本养老保险 contribution age) and the risk-event window, which
# the exit and risk-elimination checks and the monitoring engine read per year and county, frozen beside this
# migration.
DATA = Path(__file__).with_suffix(".json")


def install(apps, schema_editor):
    Parameter = apps.get_model("monitoring", "Parameter")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["parameters"]:
        Parameter.objects.get_or_create(code=row["code"], year=None, region=None,
                                        defaults={**row, "value": Decimal(row["value"])})


def remove(apps, schema_editor):
    codes = [row["code"] for row in json.loads(DATA.read_text(encoding="utf-8"))["parameters"]]
    apps.get_model("monitoring", "Parameter").objects.filter(code__in=codes, year=None, region=None).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0007_correction_procedures")]
    operations = [migrations.RunPython(install, remove)]
