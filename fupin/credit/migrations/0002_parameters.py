import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

# The national limits of 扶贫小额信贷 (amount, term, ages, rate caps, subsidy share and period, the due-soon window,
# the excluded uses), frozen beside this migration; counties set their own rows on the parameter page.
DATA = Path(__file__).with_suffix(".json")
DECIMALS = ("max_amount", "subsidy_principal_cap", "rate_cap_short", "rate_cap_long", "subsidy_share")


def install(apps, schema_editor):
    CreditParameter = apps.get_model("credit", "CreditParameter")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["parameters"]:
        values = {k: Decimal(v) if k in DECIMALS else v for k, v in row.items() if k != "year"}
        CreditParameter.objects.get_or_create(year=row["year"], region=None, defaults=values)


def remove(apps, schema_editor):
    years = [row["year"] for row in json.loads(DATA.read_text(encoding="utf-8"))["parameters"]]
    CreditParameter = apps.get_model("credit", "CreditParameter")
    CreditParameter.objects.filter(region=None, year__in=[y for y in years if y]).delete()
    CreditParameter.objects.filter(region=None, year=None).delete()


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
