"""`fupin backup` / `fupin restore` on the database the suite runs on (SQLite, or PostgreSQL with
FUPIN_DATABASE_URL): a round trip gives back every row of every table exactly."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fupin.jobs.models import Job
from fupin.regions.models import Level, Region

# pg_dump sees only committed rows; the seed data comes back afterwards for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def every_row() -> dict[str, list[tuple]]:
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            tables[table] = sorted(cursor.fetchall(), key=repr)
    return tables


def test_round_trip_gives_back_every_row(users, regions, tmp_path):
    Job.objects.create(kind="tests.x", title="带“引号”的任务\n第二行", params={"年": 2025, "x": [1.5, None]},
                       finished=dt.datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=dt.timezone.utc))
    before = every_row()
    assert before["accounts_user"] and before["jobs_job"]
    path = tmp_path / "fupin.backup"
    call_command("backup", str(path))

    Region.objects.create(code="410481100299", name="新村", level=Level.VILLAGE, parent=regions["town_a"])
    Job.objects.all().delete()
    users["county"].delete()
    assert every_row() != before
    with pytest.raises(CommandError, match="已有数据.*--force"):
        call_command("restore", str(path))
    call_command("restore", str(path), "--force")
    assert every_row() == before


def test_refusals(db, tmp_path):
    existing = tmp_path / "old.backup"
    existing.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="已存在.*--force"):
        call_command("backup", str(existing))
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(CommandError, match="不是 fupin backup 生成的备份文件"):
        call_command("restore", str(existing), "--force")
    with pytest.raises(CommandError, match="不存在"):
        call_command("restore", str(tmp_path / "missing.backup"))
    call_command("backup", str(existing), "--force")
    assert existing.read_bytes()[:5] in (b"SQLit", b"PGDMP")
