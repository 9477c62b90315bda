"""Backup and restore of the whole database (``fupin backup FILE``, ``fupin restore FILE``; docs/deployment.md).

SQLite: SQLite's online backup API, a consistent copy while the site runs; the file is itself an SQLite database.
PostgreSQL: ``pg_dump -Fc`` / ``pg_restore`` of the server's major version (a client older than the server cannot
read its dump format), found in FUPIN_PG_BIN, /usr/lib/postgresql/<major>/bin or on PATH.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A refusal or failure whose (Chinese) message is meant for the operator."""


def _engine() -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持备份此类数据库：{connection.vendor}")
    return connection.vendor


def backup(path: Path, *, force: bool = False) -> Path:
    """Write the database to ``path`` (refusing to overwrite an existing file unless ``force``)."""
    path = Path(path)
    if path.exists() and not force:
        raise BackupError(f"备份文件 {path} 已存在；如确需覆盖，请加 --force 重新执行")
    if not path.parent.is_dir():
        raise BackupError(f"目录 {path.parent} 不存在")
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if _engine() == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(partial)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            _run_pg("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}")
        partial.replace(path)  # a backup that stopped half-way never takes the name of a good one
    finally:
        partial.unlink(missing_ok=True)
    return path


def is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(path: Path, *, force: bool = False) -> None:
    """Replace the whole database with the backup at ``path``; refuses a non-empty database unless ``force``."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件 {path} 不存在")
    engine = _engine()
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    kind = "sqlite" if head.startswith(SQLITE_MAGIC) else "postgresql" if head.startswith(PG_MAGIC) else None
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    if kind is None:
        raise BackupError(f"{path} 不是 fupin backup 生成的备份文件")
    if kind != engine:
        raise BackupError(f"{path} 是 {names[kind]} 数据库的备份，当前数据库是 {names[engine]}，无法直接恢复")
    if not force and not is_empty():
        raise BackupError("当前数据库中已有数据，恢复会用备份替换全部数据；请先停止网站和后台任务进程，"
                          "确认后加 --force 重新执行")
    if engine == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"备份文件 {path} 已损坏，未作恢复")
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connections.close_all()  # pg_restore drops the tables; an open transaction of ours would block it
        _run_pg("pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}", str(path))


def _run_pg(tool: str, *args: str) -> None:
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGUSER": db.get("USER") or "",
           "PGHOST": db.get("HOST") or "", "PGPORT": str(db.get("PORT") or "")}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    done = subprocess.run([pg_tool(tool), *args], env={k: v for k, v in env.items() if v}, capture_output=True,
                          text=True)
    if done.returncode:
        raise BackupError(f"{tool} 执行失败：{done.stderr.strip()[-500:]}")


def pg_tool(name: str) -> str:
    """The client tool of the server's major version (or newer)."""
    connection.ensure_connection()
    major = connection.pg_version // 10000
    candidates = [Path(settings.FUPIN_PG_BIN) / name] if settings.FUPIN_PG_BIN else []
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin") / name)
    if found := shutil.which(name):
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file():
            version = subprocess.run([candidate, "--version"], capture_output=True, text=True).stdout
            match = re.search(r"(\d+)(?:\.\d+)?", version)
            if match and int(match.group(1)) >= major:
                return str(candidate)
    raise BackupError(f"找不到 PostgreSQL {major} 或更新版本的 {name}；请安装 postgresql-client-{major}，"
                      "或用 FUPIN_PG_BIN 指定其所在目录")
