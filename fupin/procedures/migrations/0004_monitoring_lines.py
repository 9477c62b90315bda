import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

# The national monitoring ranges (防返贫监测范围) from 2020 on with their sources, frozen beside this migration.
# docs/domain-facts.md §2.3 has no national figure for 2023 and 2025 (provinces set their own), so none is installed
# for those years: a run for them says the line is missing instead of guessing one.
DATA = Path(__file__).with_suffix(".json")


def install(apps, schema_editor):
    PovertyLine = apps.get_model("procedures", "PovertyLine")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for row in data["monitoring_lines"]:
        PovertyLine.objects.get_or_create(
            kind=row["kind"], year=row["year"], region=None,
            defaults={"amount": Decimal(row["amount"]), "document": row["document"], "note": row["note"]},
        )
    # The 2021 floor installed by 0002 gains its source, unless an administrator changed the row since.
    for row in data["updated_lines"]:
        PovertyLine.objects.filter(kind=row["kind"], year=row["year"], region=None, amount=Decimal(row["amount"]),
                                   note="").update(document=row["document"], note=row["note"])


def remove(apps, schema_editor):
    PovertyLine = apps.get_model("procedures", "PovertyLine")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for row in data["monitoring_lines"]:
        PovertyLine.objects.filter(kind=row["kind"], year=row["year"], region=None, note=row["note"]).delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0003_registered_kinds")]
    operations = [migrations.RunPython(install, remove)]
