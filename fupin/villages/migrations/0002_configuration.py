import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

# The figures of village exit (贫困发生率 2 %, 3 % in the western provinces; 集体经济收入 5万元; the income-growth
# rule), the national 九有 checklist and the exit chain, each with its source, frozen beside this migration; counties
# set their own on the configuration pages. Rows already present are left as they are.
DATA = Path(__file__).with_suffix(".json")


def install(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    VillageParameter = apps.get_model("villages", "VillageParameter")
    for row in data["parameters"]:
        VillageParameter.objects.get_or_create(code=row["code"], year=None, region_prefix=row["region_prefix"],
                                               defaults={**row, "value": Decimal(row["value"])})
    Indicator = apps.get_model("villages", "Indicator")
    for position, row in enumerate(data["indicators"], 1):
        Indicator.objects.get_or_create(region=None, code=row["code"], defaults={
            **row, "position": position, "required": True, "source": data["indicator_source"]})
    ProcedureDefinition = apps.get_model("procedures", "ProcedureDefinition")
    StepDefinition = apps.get_model("procedures", "StepDefinition")
    chain = data["chain"]
    if not ProcedureDefinition.objects.filter(kind=chain["kind"], region__isnull=True).exists():
        definition = ProcedureDefinition.objects.create(kind=chain["kind"], region=None, name=chain["name"],
                                                        description=chain["description"], active=True)
        StepDefinition.objects.bulk_create(StepDefinition(definition=definition, attachment_kinds="", **s)
                                           for s in chain["steps"])


def remove(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    apps.get_model("procedures", "ProcedureDefinition").objects.filter(kind=data["chain"]["kind"],
                                                                       region__isnull=True).delete()
    apps.get_model("villages", "Indicator").objects.filter(region=None).delete()
    apps.get_model("villages", "VillageParameter").objects.filter(year=None).delete()


class Migration(migrations.Migration):
    dependencies = [("villages", "0001_initial"), ("procedures", "0008_notice_subjects")]
    operations = [migrations.RunPython(install, remove)]
