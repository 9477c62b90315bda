import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

# The policy figures (雨露计划, self-pay cap, 渐退 months, water standards), the 门诊慢性病 list and the 应享未享
# rules as this migration installed them, frozen beside it; edited on the pages afterwards.
DATA = Path(__file__).with_suffix(".json")


def install(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    PolicyFigure = apps.get_model("sectors", "PolicyFigure")
    for row in data["figures"]:
        PolicyFigure.objects.get_or_create(code=row["code"], year=row["year"], region=None,
                                           defaults={"value": Decimal(row["value"]), "source": row["source"]})
    ChronicDisease = apps.get_model("sectors", "ChronicDisease")
    for position, name in enumerate(data["diseases"], 1):
        ChronicDisease.objects.get_or_create(name=name, region=None,
                                             defaults={"position": position, "source": data["disease_source"]})
    CoverageRule = apps.get_model("sectors", "CoverageRule")
    for row in data["rules"]:
        CoverageRule.objects.get_or_create(code=row["code"], defaults=row)


def remove(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    apps.get_model("sectors", "PolicyFigure").objects.filter(region=None).delete()
    apps.get_model("sectors", "ChronicDisease").objects.filter(region=None, name__in=data["diseases"]).delete()
    apps.get_model("sectors", "CoverageRule").objects.filter(code__in=[r["code"] for r in data["rules"]]).delete()


class Migration(migrations.Migration):
    dependencies = [("sectors", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
