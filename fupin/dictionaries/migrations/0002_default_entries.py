from django.db import migrations

from fupin.dictionaries.defaults import DEFAULTS


def install(apps, schema_editor):
    Entry = apps.get_model("dictionaries", "Entry")
    Entry.objects.bulk_create(
        Entry(kind=kind, code=code, label=label, sort_order=i)
        for kind, entries in DEFAULTS.items()
        for i, (code, label) in enumerate(entries)
    )


def remove(apps, schema_editor):
    apps.get_model("dictionaries", "Entry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("dictionaries", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
