"""Migrated databases of their own for tests that run fupin in child processes (serve, workers, kills).

``migrated`` makes a template once (SQLite: a file; PostgreSQL, when the suite runs on it: ``<name>_<suffix>``);
``copy_of`` gives each test a fresh copy of it (a file copy, or CREATE DATABASE … TEMPLATE).
"""

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _postgres(url: str):
    import psycopg

    base, name = url.rsplit("/", 1)
    return base, name, psycopg.connect(f"{base}/postgres", autocommit=True)


def _env(url: str, folder: Path) -> dict:
    env = {**os.environ, "FUPIN_DATABASE_URL": url, "FUPIN_DATA_DIR": str(folder), "HOME": str(folder),
           "DJANGO_SETTINGS_MODULE": "fupin.settings"}
    env.pop("FUPIN_TASK_BACKEND", None)
    return env


@contextlib.contextmanager
def migrated(folder: Path, suffix: str):
    url = os.environ.get("FUPIN_DATABASE_URL", "")
    if url.startswith("postgres"):
        base, name, connection = _postgres(url)
        url = f"{base}/{name}_{suffix}"
        with connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}_{suffix}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}_{suffix}"')
    else:
        url = f"sqlite:///{folder / 'fupin.sqlite3'}"
    env = _env(url, folder)
    done = subprocess.run([sys.executable, "-m", "fupin.cli", "migrate", "-v0"], env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    try:
        yield env
    finally:
        _drop(url)


@contextlib.contextmanager
def copy_of(template: dict, folder: Path):
    source = template["FUPIN_DATABASE_URL"]
    if source.startswith("postgres"):
        base, name, connection = _postgres(source)
        url = f"{base}/{name}_copy"
        with connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}_copy" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}_copy" TEMPLATE "{name}"')
    else:
        url = f"sqlite:///{folder / 'fupin.sqlite3'}"
        shutil.copy(source.removeprefix("sqlite:///"), folder / "fupin.sqlite3")
    try:
        yield _env(url, folder)
    finally:
        _drop(url)


def _drop(url: str) -> None:
    if url.startswith("postgres"):
        base, name, connection = _postgres(url)
        with connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(env: dict, sql: str) -> list[tuple]:
    """Rows of a query on the child processes' database, read outside Django."""
    url = env["FUPIN_DATABASE_URL"]
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url) as connection:
            return connection.execute(sql).fetchall()
    import sqlite3

    with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection, connection:
        return connection.execute(sql).fetchall()
