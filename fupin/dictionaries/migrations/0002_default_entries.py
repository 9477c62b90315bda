import json
from pathlib import Path

from django.db import migrations

# The code tables as this migration installed them, frozen beside it: later edits to the app's defaults do not
# change what an old migration writes.
ENTRIES = Path(__file__).with_suffix(".json")


def install(apps, schema_editor):
    Entry = apps.get_model("dictionaries", "Entry")
    Entry.objects.bulk_create(Entry(**row) for row in json.loads(ENTRIES.read_text(encoding="utf-8")))


def remove(apps, schema_editor):
    apps.get_model("dictionaries", "Entry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("dictionaries", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
