"""bench/load.py against a real `fupin serve` on loopback (its own SQLite instance folder with a small demo county):
it logs in as village, township and county accounts, walks every page, and reports no errors."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "load.py"
FUPIN = [sys.executable, "-m", "fupin.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """A demo instance served by `fupin serve` (no worker), stopped after the test."""
    env = {**os.environ, "FUPIN_DATA_DIR": str(tmp_path / "instance"), "FUPIN_DEMO_MODE": "1"}
    env.pop("FUPIN_DATABASE_URL", None)
    subprocess.run([*FUPIN, "migrate", "-v0"], env=env, check=True, timeout=300)
    subprocess.run([*FUPIN, "demo", "--people", "300"], env=env, check=True, timeout=300, capture_output=True)
    url = f"http://127.0.0.1:{free_port()}"
    server = subprocess.Popen([*FUPIN, "serve", url.removeprefix("http://"), "--no-worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "fupin serve did not start"
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_load_script_walks_the_pages_without_errors(served, tmp_path):
    out = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--url", served, "--users", "2", "--duration", "60", "--max-requests", "24",
         "--ramp", "0", "--think-min", "0.05", "--think-max", "0.2", "--accounts", "cun1,xiang1,xian",
         "--json", str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    pages = {row["page"]: row for row in figures["pages"]}
    assert figures["errors"] == 0 and figures["requests"] == 24
    assert {"login", "household list", "household detail", "member search", "alerts", "notices"} <= set(pages)
    assert all(row["p95_ms"] >= row["p50_ms"] for row in pages.values())


def test_load_script_refuses_other_hosts():
    run = subprocess.run([sys.executable, str(SCRIPT), "--url", "http://192.0.2.1:8000", "--duration", "1"],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode != 0 and "loopback" in run.stderr
