"""A process killed in the middle of writing a data set or a run's suspects leaves nothing behind.

A child process loads (or compares) against a database of its own; a hook makes it stop half-way through writing —
rows already sent to the database — and announce it; the test then kills it with SIGKILL and looks at the tables.
"""

import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from fupin.core import idnumber

from .conftest import write_csv

CHILD = textwrap.dedent("""
    import os, sys, time, django
    os.environ["DJANGO_SETTINGS_MODULE"] = "fupin.settings"
    django.setup()
    from fupin.core.channels import Channel
    from fupin.comparison.actions.datasets import load_dataset
    from fupin.comparison.actions.runs import start_run
    from fupin.comparison.models import Dataset, DatasetKind
    from fupin.core import bulkload

    mode, path = sys.argv[1], sys.argv[2]
    real = bulkload.load_frame

    def stall(target, frame, **kwargs):
        real(target, frame, **kwargs)  # the rows are in the open transaction ...
        print("STALLED", flush=True)   # ... and the process dies before it commits
        time.sleep(600)

    if mode == "load":
        bulkload.load_frame = stall
        load_dataset(path, kind=DatasetKind.objects.get(code="death"), acting_user=None,
                     channel=Channel.CLI)
    else:
        dataset = load_dataset(path, kind=DatasetKind.objects.get(code="death"), acting_user=None,
                               channel=Channel.CLI)
        print("LOADED", dataset.pk, flush=True)
        bulkload.load_frame = stall
        start_run(datasets=[dataset], acting_user=None, channel=Channel.CLI, run_now=True)
""")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated database for the children: a copy of one SQLite file, or a PostgreSQL database of its own
    when the tests themselves run on PostgreSQL."""
    url = os.environ.get("FUPIN_DATABASE_URL", "")
    folder = tmp_path_factory.mktemp("killed")
    if url.startswith("postgres"):
        import psycopg  # the PostgreSQL driver, needed only when the tests run there

        base, name = url.rsplit("/", 1)
        url = f"{base}/{name}_killed"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}_killed" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}_killed"')
    else:
        url = f"sqlite:///{folder / 'template.sqlite3'}"
    env = {**os.environ, "FUPIN_DATABASE_URL": url, "FUPIN_DATA_DIR": str(folder)}
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0", "--settings=fupin.settings"], env=env,
                   check=True, capture_output=True)
    yield url
    if url.startswith("postgres"):
        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database(migrated, tmp_path) -> str:
    if migrated.startswith("postgres"):
        return migrated
    copy = tmp_path / "killed.sqlite3"
    shutil.copy(migrated.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


def _count(url, sql):
    if url.startswith("postgres"):
        import psycopg  # the PostgreSQL driver, needed only when the tests run there

        with psycopg.connect(url) as connection:
            return connection.execute(sql).fetchone()[0]
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return connection.execute(sql).fetchone()[0]


def _run_until_stalled(url, tmp_path, mode, rows, setup=None):
    env = {**os.environ, "FUPIN_DATABASE_URL": url, "FUPIN_DATA_DIR": str(tmp_path)}
    if setup:
        subprocess.run([sys.executable, "-c", setup], env=env, check=True, capture_output=True)
    path = write_csv(tmp_path / "deaths.csv", ["姓名", "身份证号"], rows)
    child = subprocess.Popen([sys.executable, "-c", CHILD, mode, str(path)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    try:
        lines = []
        for line in child.stdout:
            lines.append(line)
            if line.startswith("STALLED"):
                break
        assert lines and lines[-1].startswith("STALLED"), lines
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()


@pytest.fixture
def registered_ids():
    return [idnumber.make("410481", dt.date(1960, 1, 1), n) for n in range(1, 200)]


def test_killed_upload_leaves_no_data_set(migrated, tmp_path, registered_ids):
    url = _database(migrated, tmp_path)
    _run_until_stalled(url, tmp_path, "load", [["甲", number] for number in registered_ids])
    assert _count(url, "SELECT count(*) FROM comparison_dataset") == 0
    assert _count(url, "SELECT count(*) FROM comparison_datasetrow") == 0


def test_killed_run_leaves_no_suspects(migrated, tmp_path, registered_ids):
    """The register needs a household with the dead person in it; a first child adds it with the ORM."""
    dead = registered_ids[0]
    setup = textwrap.dedent(f"""
        import os, django, datetime
        os.environ["DJANGO_SETTINGS_MODULE"] = "fupin.settings"
        django.setup()
        from fupin.regions.models import Region
        from fupin.registry.models import Household, Member
        village = Region.objects.create(code="410481100201", name="张庄村", level=5)
        household = Household.objects.create(number="H1", village=village, status="1", category="1")
        Member.objects.create(household=household, name="甲", id_number="{dead}", sex="1",
                              birth_date=datetime.date(1960, 1, 1), relation="01")
    """)
    url = _database(migrated, tmp_path)
    _run_until_stalled(url, tmp_path, "run", [["甲", dead]], setup=setup)
    assert _count(url, "SELECT count(*) FROM comparison_datasetrow") == 1  # the upload itself committed
    assert _count(url, "SELECT count(*) FROM comparison_suspect") == 0
    assert _count(url, "SELECT count(*) FROM audit_auditlog WHERE object_type = 'suspect'") == 0
