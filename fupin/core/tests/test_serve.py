"""`fupin serve` in a real process: gunicorn with static files, a masked access log, a supervised worker that
comes back when killed and still runs jobs, and a clean stop on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from fupin.core.tests.processes import migrated, query

ID_NUMBER, MOBILE = "410481196001010018", "13812345678"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> dict[int, str]:
    """pid → command line of the processes whose parent is ``pid``."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
    return found


def worker_pid(serve) -> int | None:
    return next((pid for pid, cmd in children(serve.pid).items() if "fupin.cli worker" in cmd), None)


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.3)
    raise AssertionError("timed out")


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except OSError:
        return None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    with migrated(folder, "serve") as env:
        port = free_port()
        log = open(folder / "serve.log", "w")
        serve = subprocess.Popen([sys.executable, "-m", "fupin.cli", "serve", f"127.0.0.1:{port}"],
                                 env={**env, "FUPIN_WEB_WORKERS": "1"}, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: get(f"{base}/healthz"), 90)
            yield serve, base, folder / "serve.log", env
        finally:
            if serve.poll() is None:
                serve.kill()
            for pid in children(serve.pid):
                os.kill(pid, signal.SIGKILL)
            serve.wait()
            log.close()


def test_pages_and_static_files_come_from_gunicorn(server):
    serve, base, _log, _env = server
    assert any("gunicorn" in cmd and "--workers 1" in cmd for cmd in children(serve.pid).values())
    status, body = get(f"{base}/accounts/login/")
    assert status == 200 and "登录" in body.decode()
    status, body = get(f"{base}/static/vendor/bootstrap/bootstrap.min.css")
    assert status == 200 and b"bootstrap" in body.lower()


def test_access_log_masks_id_and_mobile_numbers(server):
    _serve, base, log, _env = server
    assert get(f"{base}/accounts/login/?q={ID_NUMBER}&phone={MOBILE}")[0] == 200
    wait_for(lambda: "410481********0018" in log.read_text(), 10)  # gunicorn writes the line after answering
    text = log.read_text()
    assert "GET /accounts/login/?q=410481********0018&phone=138****5678" in text
    assert ID_NUMBER not in text and MOBILE not in text


def test_killed_worker_comes_back_and_runs_jobs(server):
    serve, _base, _log, env = server
    first = wait_for(lambda: worker_pid(serve))
    os.kill(first, signal.SIGKILL)
    second = wait_for(lambda: (pid := worker_pid(serve)) != first and pid)
    assert second != first
    subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.db import transaction; "
                    "from fupin.jobs import services\nwith transaction.atomic(): "
                    "services.start('regions.export', '导出区划', params={})"], env=env, check=True)
    wait_for(lambda: query(env, "SELECT status FROM jobs_job WHERE kind = 'regions.export'") == [("succeeded",)])


def test_sigterm_stops_everything(server):
    serve, _base, _log, _env = server
    family = list(children(serve.pid))
    assert len(family) == 2
    serve.send_signal(signal.SIGTERM)
    assert serve.wait(timeout=60) == 0
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in family), 30)


def _state(pid: int) -> str:
    try:
        return "zombie" if (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z") else "alive"
    except OSError:
        return "zombie"
