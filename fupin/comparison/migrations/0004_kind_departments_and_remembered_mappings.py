"""Kinds name the departments that own them; remembered column mappings move from the kind to one per uploader."""

import django.db.models.deletion
from django.db import migrations, models

# As kinds.BUILTIN_OWNERS was when this migration was written (migrations keep their own copy of data).
OWNERS = {
    "death": "公安、民政、卫健",
    "dibao": "民政",
    "tekun": "民政",
    "medical_insurance": "医保",
    "hospital_bill": "医保",
    "school_enrolment": "教育",
    "dangerous_house": "住建",
    "vehicle": "公安",
    "business": "市场监管",
    "real_estate": "自然资源、住建",
    "public_employee": "财政、组织、人社",
    "household_registration": "公安",
    "disability": "残联",
    "poverty_register": "",
}


def forwards(apps, schema_editor):
    DatasetKind = apps.get_model("comparison", "DatasetKind")
    RememberedMapping = apps.get_model("comparison", "RememberedMapping")
    for kind in DatasetKind.objects.all():
        # An administrator's own kind keeps what its 提供部门 says, one department per 顿号-separated part.
        kind.departments = OWNERS[kind.code] if kind.builtin and kind.code in OWNERS else kind.department
        kind.save(update_fields=["departments"])
        if kind.remembered_mapping:
            # Whose layout it was is unknown: it stays with the system's own uploads (the command line).
            RememberedMapping.objects.create(kind=kind, department="", region_code="", mapping=kind.remembered_mapping)


def backwards(apps, schema_editor):
    RememberedMapping = apps.get_model("comparison", "RememberedMapping")
    for remembered in RememberedMapping.objects.filter(department="", region_code="").select_related("kind"):
        remembered.kind.remembered_mapping = remembered.mapping
        remembered.kind.save(update_fields=["remembered_mapping"])


class Migration(migrations.Migration):

    dependencies = [
        ("comparison", "0003_datasetrow_without_fk_constraint"),
    ]

    operations = [
        migrations.AddField(
            model_name="datasetkind",
            name="departments",
            field=models.CharField(blank=True, help_text="哪些部门账号可以上传和查看此类数据：填部门账号的“所属部门”，多个用顿号分隔，如 公安、民政；县级账号总能查看", max_length=200, verbose_name="主管部门"),
        ),
        migrations.CreateModel(
            name="RememberedMapping",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("department", models.CharField(blank=True, max_length=50, verbose_name="部门")),
                ("region_code", models.CharField(blank=True, max_length=12, verbose_name="区划")),
                ("mapping", models.JSONField(default=dict, help_text="表头 → 字段代码", verbose_name="列对应")),
                ("updated", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("kind", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="remembered_mappings", to="comparison.datasetkind")),
            ],
            options={
                "verbose_name": "记住的列对应",
                "verbose_name_plural": "记住的列对应",
                "constraints": [models.UniqueConstraint(fields=("kind", "department", "region_code"), name="remembered_mapping_one_per_uploader")],
            },
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name="datasetkind",
            name="remembered_mapping",
        ),
    ]
