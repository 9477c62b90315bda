"""The household's 监测对象类别 (registry Household.monitoring_kind) from its monitored household still 监测帮扶中."""

from django.db import migrations

MONITORING = "monitoring"  # MonitoredStatus.MONITORING as this migration reads it


def backfill(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    MonitoredHousehold = apps.get_model("monitoring", "MonitoredHousehold")
    for household_id, kind in MonitoredHousehold.objects.filter(status=MONITORING).values_list("household_id", "kind"):
        Household.objects.filter(pk=household_id).update(monitoring_kind=kind)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_alert_fingerprint"), ("registry", "0004_backfill_household_type")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
