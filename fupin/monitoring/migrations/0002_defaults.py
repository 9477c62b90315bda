from decimal import Decimal

from django.db import migrations

from fupin.monitoring.defaults import (
    MONITORING_RULES,
    PARAMETERS,
    PROCEDURES,
    QUALITY_RULES,
)


def install(apps, schema_editor):
    Parameter = apps.get_model("monitoring", "Parameter")
    Rule = apps.get_model("monitoring", "Rule")
    ProcedureDefinition = apps.get_model("procedures", "ProcedureDefinition")
    StepDefinition = apps.get_model("procedures", "StepDefinition")
    Parameter.objects.bulk_create(
        Parameter(code=code, name=name, value=Decimal(value), unit=unit, note=note)
        for code, name, value, unit, note in PARAMETERS
    )
    Rule.objects.bulk_create(
        Rule(family="monitoring", code=code, name=name, condition=condition, severity=severity, risk_type=risk,
             description=description)
        for code, name, condition, severity, risk, description in MONITORING_RULES
    )
    Rule.objects.bulk_create(
        Rule(family="quality", code=code, name=name, condition=condition, severity=severity, description=description)
        for code, name, condition, severity, description in QUALITY_RULES
    )
    for kind, (name, description, steps) in PROCEDURES.items():
        definition = ProcedureDefinition.objects.create(kind=kind, name=name, description=description)
        StepDefinition.objects.bulk_create(
            StepDefinition(definition=definition, order=i, name=step, actor_level=level, deadline_days=days,
                           attachment_kinds=kinds, notice_days=notice)
            for i, (step, level, days, kinds, notice) in enumerate(steps, 1)
        )


def remove(apps, schema_editor):
    apps.get_model("procedures", "ProcedureDefinition").objects.filter(kind__in=list(PROCEDURES)).delete()
    apps.get_model("monitoring", "Rule").objects.all().delete()
    apps.get_model("monitoring", "Parameter").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial"), ("procedures", "0002_defaults")]
    operations = [migrations.RunPython(install, remove)]
