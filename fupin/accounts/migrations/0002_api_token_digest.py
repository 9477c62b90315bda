import hashlib

from django.db import migrations, models


def digest_existing_keys(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.all():
        token.key_hash = hashlib.sha256(token.key.encode()).hexdigest()
        token.prefix = token.key[:8]
        token.save(update_fields=["key_hash", "prefix"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField("apitoken", "key_hash", models.CharField("令牌摘要", max_length=64, null=True)),
        migrations.AddField("apitoken", "prefix", models.CharField("令牌前缀", max_length=8, default="")),
        migrations.RunPython(digest_existing_keys, migrations.RunPython.noop),
        migrations.RemoveField("apitoken", "key"),
        migrations.AlterField("apitoken", "key_hash", models.CharField("令牌摘要", max_length=64, unique=True)),
        migrations.AlterField("apitoken", "prefix", models.CharField("令牌前缀", max_length=8)),
    ]
