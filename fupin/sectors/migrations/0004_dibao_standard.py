import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations, models

# The 农村低保 standard (元/人·年) as this migration installed it, frozen beside it; edited on the pages afterwards.
DATA = Path(__file__).with_suffix(".json")


def install(apps, schema_editor):
    PolicyFigure = apps.get_model("sectors", "PolicyFigure")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["figures"]:
        PolicyFigure.objects.get_or_create(code=row["code"], year=row["year"], region=None,
                                           defaults={"value": Decimal(row["value"]), "source": row["source"]})


def remove(apps, schema_editor):
    apps.get_model("sectors", "PolicyFigure").objects.filter(code="dibao_standard").delete()


class Migration(migrations.Migration):
    dependencies = [("sectors", "0003_related_names")]
    operations = [
        migrations.AlterField(
            model_name="policyfigure",
            name="code",
            field=models.CharField(choices=[
                ("yulu_amount", "雨露计划补助标准"), ("self_pay_cap_pct", "政策范围内个人自付比例上限"),
                ("taper_months", "低保特困渐退期"), ("water_litres_safe", "饮水水量安全标准"),
                ("water_litres_basic", "饮水水量基本安全标准"), ("water_minutes_safe", "取水往返时间安全标准"),
                ("water_minutes_basic", "取水往返时间基本安全标准"), ("water_rate_safe", "供水保证率安全标准"),
                ("water_rate_basic", "供水保证率基本安全标准"), ("dibao_standard", "农村低保标准"),
            ], max_length=40, verbose_name="指标"),
        ),
        migrations.RunPython(install, remove),
    ]
