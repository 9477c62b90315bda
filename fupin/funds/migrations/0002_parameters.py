import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

# The national defaults of the funds' policy figures (公告公示天数, 闲置天数, 支出进度目标), each with its source, frozen
# beside this migration; counties set their own on the parameter page.
DATA = Path(__file__).with_suffix(".json")


def install(apps, schema_editor):
    FundParameter = apps.get_model("funds", "FundParameter")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["parameters"]:
        FundParameter.objects.get_or_create(code=row["code"], year=None, region=None,
                                            defaults={**row, "value": Decimal(row["value"])})


def remove(apps, schema_editor):
    codes = [row["code"] for row in json.loads(DATA.read_text(encoding="utf-8"))["parameters"]]
    apps.get_model("funds", "FundParameter").objects.filter(code__in=codes, year=None, region=None).delete()


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
