"""户类型 for the households already on the register, from their 户状态 (the rule of registry.choices.type_for_status,
frozen beside this migration): 未脱贫/返贫/新识别 → 贫困户, 已脱贫 → 脱贫户, 清退 → 一般农户; a 注销 household keeps
what it was, 脱贫户 if it had exited, else 贫困户.

Rows that held 贫困户属性 "4" 一般农户 (retired, see registry.choices.HouseholdCategory) were ordinary farmers
entered under a placeholder status (新识别 or 清退) because the status was required: they become 一般农户 with a
blank 户状态 and a blank 贫困户属性; any other row loses only the retired 贫困户属性.
"""

import json
from pathlib import Path

from django.db import migrations

MAPPING = json.loads(Path(__file__).with_suffix(".json").read_text(encoding="utf-8"))


def backfill(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    for status, household_type in MAPPING["type_by_status"].items():
        Household.objects.filter(status=status).update(household_type=household_type)
    cancelled = Household.objects.filter(status=MAPPING["cancelled_status"])
    cancelled.filter(exit_year__isnull=False).update(household_type=MAPPING["cancelled_type_exited"])
    cancelled.filter(exit_year__isnull=True).update(household_type=MAPPING["cancelled_type_not_exited"])
    retired = Household.objects.filter(category=MAPPING["retired_category"])
    retired.filter(status__in=MAPPING["placeholder_statuses"]).update(
        status="", household_type=MAPPING["ordinary_type"], category=""
    )
    retired.update(category="")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_household_type")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
