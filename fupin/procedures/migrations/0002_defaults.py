from decimal import Decimal

from django.db import migrations

from fupin.procedures.defaults import ATTACHMENT_KINDS, DEFINITIONS, LINES


def install(apps, schema_editor):
    PovertyLine = apps.get_model("procedures", "PovertyLine")
    AttachmentKind = apps.get_model("procedures", "AttachmentKind")
    ProcedureDefinition = apps.get_model("procedures", "ProcedureDefinition")
    StepDefinition = apps.get_model("procedures", "StepDefinition")
    PovertyLine.objects.bulk_create(
        PovertyLine(kind=kind, year=year, amount=Decimal(amount), document=document)
        for kind, year, amount, document in LINES
    )
    AttachmentKind.objects.bulk_create(
        AttachmentKind(code=code, name=name, sort_order=i) for i, (code, name) in enumerate(ATTACHMENT_KINDS)
    )
    for kind, (name, description, steps) in DEFINITIONS.items():
        definition = ProcedureDefinition.objects.create(kind=kind, name=name, description=description)
        StepDefinition.objects.bulk_create(
            StepDefinition(definition=definition, order=i, name=step, actor_level=level, deadline_days=days,
                           attachment_kinds=kinds, notice_days=notice)
            for i, (step, level, days, kinds, notice) in enumerate(steps, 1)
        )


def remove(apps, schema_editor):
    for model in ("StepDefinition", "ProcedureDefinition", "AttachmentKind", "PovertyLine"):
        apps.get_model("procedures", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
