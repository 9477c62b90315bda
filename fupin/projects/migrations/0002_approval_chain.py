import json
from pathlib import Path

from django.db import migrations

# The national 扶贫项目审批 chain (村申报、乡审核、县审定 with 逐级公示, docs/domain-facts.md §6), frozen beside this
# migration and installed as a procedures ProcedureDefinition of kind project_approval; an administrator edits it on
# the definitions page afterwards. An existing national definition of the kind is left as it is.
DATA = Path(__file__).with_suffix(".json")


def install(apps, schema_editor):
    ProcedureDefinition = apps.get_model("procedures", "ProcedureDefinition")
    StepDefinition = apps.get_model("procedures", "StepDefinition")
    row = json.loads(DATA.read_text(encoding="utf-8"))
    if ProcedureDefinition.objects.filter(kind=row["kind"], region__isnull=True).exists():
        return
    definition = ProcedureDefinition.objects.create(kind=row["kind"], region=None, name=row["name"],
                                                    description=row["description"], active=True)
    StepDefinition.objects.bulk_create(StepDefinition(definition=definition, attachment_kinds="", **s)
                                       for s in row["steps"])


def remove(apps, schema_editor):
    ProcedureDefinition = apps.get_model("procedures", "ProcedureDefinition")
    ProcedureDefinition.objects.filter(kind=json.loads(DATA.read_text(encoding="utf-8"))["kind"],
                                       region__isnull=True, procedure__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial"), ("procedures", "0008_notice_subjects")]
    operations = [migrations.RunPython(install, remove)]
