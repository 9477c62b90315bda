import json
from pathlib import Path

from django.db import migrations, models

# The health words as this migration installed them, frozen beside it (see 0002_default_entries).
ENTRIES = Path(__file__).with_suffix(".json")
KIND = "notice_health_word"


def install(apps, schema_editor):
    Entry = apps.get_model("dictionaries", "Entry")
    Entry.objects.bulk_create(Entry(**row) for row in json.loads(ENTRIES.read_text(encoding="utf-8")))


def remove(apps, schema_editor):
    apps.get_model("dictionaries", "Entry").objects.filter(kind=KIND).delete()


class Migration(migrations.Migration):
    dependencies = [("dictionaries", "0002_default_entries")]
    operations = [
        migrations.AlterField(
            model_name="entry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("household_category", "贫困户属性"), ("household_status", "户状态"),
                    ("identification_standard", "识别标准"), ("poverty_cause", "致贫原因"), ("relation", "与户主关系"),
                    ("ethnicity", "民族"), ("political_status", "政治面貌"), ("education", "文化程度"),
                    ("schooling", "在校生状况"), ("health", "健康状况"), ("labour_skill", "劳动技能"),
                    ("work_location", "务工状况"), ("road_type", "入户路类型"), ("fuel_type", "主要燃料类型"),
                    ("house_grade", "危房等级"), ("sex", "性别"), ("notice_health_word", "公示禁用健康用语"),
                ],
                db_index=True, max_length=32, verbose_name="代码表",
            ),
        ),
        migrations.RunPython(install, remove),
    ]
