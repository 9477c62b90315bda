"""Settings as a fresh process sees them: DEBUG off unless asked, a per-install secret key, `check --deploy`."""

import io
import logging
import os
import stat
import subprocess
import sys

from fupin.core.logmask import MaskPersonalNumbers

SHOW = ("import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.SECRET_KEY, settings.ALLOWED_HOSTS)")


def fresh(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("FUPIN_DEBUG", "FUPIN_SECRET_KEY", "FUPIN_HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return {**clean, "FUPIN_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "fupin.settings", **env}


def show(env):
    return subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, check=True).stdout


def test_debug_is_off_and_the_secret_key_is_made_once_per_install(tmp_path):
    debug, key, hosts = show(fresh(tmp_path / "a")).split(" ", 2)
    assert debug == "False" and len(key) >= 50 and "testserver" not in hosts
    key_file = tmp_path / "a" / "secret_key"
    assert key_file.read_text().strip() == key and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert show(fresh(tmp_path / "a")).split()[1] == key  # reused on the next start
    assert show(fresh(tmp_path / "b")).split()[1] != key  # never shared between installs
    debug, key, hosts = show(fresh(tmp_path / "a", FUPIN_DEBUG="1", FUPIN_SECRET_KEY="k" * 60,
                                   FUPIN_ALLOWED_HOSTS=" fupin.example.cn , 10.0.0.5")).split(" ", 2)
    assert (debug, key, hosts.strip()) == ("True", "k" * 60, "['fupin.example.cn', '10.0.0.5']")


def check_deploy(env):
    return subprocess.run([sys.executable, "-m", "fupin.cli", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True)


def test_check_deploy_passes_with_https_and_only_plain_http_warnings_remain_without(tmp_path):
    https = check_deploy(fresh(tmp_path, FUPIN_HTTPS="1"))
    assert https.returncode == 0, https.stdout + https.stderr
    plain = check_deploy(fresh(tmp_path))
    found = {word.rstrip(":") for word in (plain.stdout + plain.stderr).split() if word.startswith("(security.")}
    # HSTS, the HTTPS redirect and Secure cookies can only be had over HTTPS (docs/deployment.md).
    assert found == {"(security.W004)", "(security.W008)", "(security.W012)", "(security.W016)"}


def test_log_records_never_hold_full_id_or_mobile_numbers():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(MaskPersonalNumbers())
    logger = logging.getLogger("fupin.tests.mask")
    logger.addHandler(handler)
    try:
        logger.warning("GET /registry/households/?q=%s&phone=%s", "41048119600101001X", "13812345678")
        logger.warning("old number 410481600101001 in %s", {"k": 1})
        try:
            raise ValueError("bad 410481196001010018")
        except ValueError:
            logger.exception("failed for 13912345678")
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert "?q=410481********001X&phone=138****5678" in text and "410481*****1001" in text
    assert "139****5678" in text and "bad 410481********0018" in text
    for full in ("41048119600101001X", "13812345678", "410481600101001", "410481196001010018", "13912345678"):
        assert full not in text


def test_every_configured_handler_masks():
    from django.conf import settings

    assert all("mask_personal" in handler.get("filters", []) for handler in settings.LOGGING["handlers"].values())


def test_sqlite_file_database_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    """WAL lets pages read while a job writes; the busy timeout makes a write wait for the job instead of failing."""
    env = fresh(tmp_path, FUPIN_DATABASE_URL=f"sqlite:///{tmp_path / 'fupin.sqlite3'}")
    script = ("import django; django.setup(); from django.db import connection; c = connection.cursor(); "
              "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0])")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["wal", "30000"]
