"""The built-in fund anomaly rules (written by the anomaly-checks engineer, after the funds core's 0003).

The rules as this migration installs them are frozen in ``builtin_rules.json`` beside it; thresholds are not in
them but in ``FundParameter`` rows (0002), read through ``:code`` placeholders.
"""

import json
from pathlib import Path

from django.db import migrations

RULES = Path(__file__).with_name("builtin_rules.json")


def install(apps, schema_editor):
    FundRule = apps.get_model("funds", "FundRule")
    existing = set(FundRule.objects.values_list("code", flat=True))
    FundRule.objects.bulk_create(FundRule(builtin=True, enabled=True, **row)
                                 for row in json.loads(RULES.read_text(encoding="utf-8"))
                                 if row["code"] not in existing)


def remove(apps, schema_editor):
    FundRule = apps.get_model("funds", "FundRule")
    codes = [row["code"] for row in json.loads(RULES.read_text(encoding="utf-8"))]
    FundRule.objects.filter(builtin=True, code__in=codes, anomalies__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("funds", "0003_batch_region_anomaly_closed")]
    operations = [migrations.RunPython(install, remove)]
