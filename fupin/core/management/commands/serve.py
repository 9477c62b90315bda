import logging
import signal
import subprocess
import sys
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from fupin.core import serving

log = logging.getLogger(__name__)
# A worker that dies this soon after starting is restarted only after RESTART_PAUSE, so a worker that cannot
# start at all (database down) does not spin.
QUICK_DEATH_SECONDS = 10
RESTART_PAUSE = 5
STOP_SECONDS = 30


class Command(BaseCommand):
    help = "迁移数据库，启动网站（gunicorn，默认 127.0.0.1:8000）和后台任务进程；任务进程意外退出时自动重启。"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="监听地址:端口，或只写端口")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程（另行运行 fupin worker）")
        parser.add_argument("--workers", type=int, help="网站进程数（默认 CPU 数×2+1，或 FUPIN_WEB_WORKERS）")

    def handle(self, *args, addrport, no_worker, workers, **options):
        call_command("migrate", interactive=False, verbosity=0)
        connections.close_all()  # the children open their own
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *args: stopping.set())
        web = subprocess.Popen(serving.gunicorn_command(addrport, workers or serving.web_workers()))
        worker, started = None, 0.0
        try:
            while not stopping.is_set():
                if web.poll() is not None:
                    raise CommandError(f"网站进程意外退出（退出码 {web.returncode}）")
                if not no_worker and (worker is None or worker.poll() is not None):
                    if worker is not None:
                        quick = time.monotonic() - started < QUICK_DEATH_SECONDS
                        log.error("background worker exited with code %s; restarting", worker.returncode)
                        if quick and stopping.wait(RESTART_PAUSE):
                            break
                    # `fupin worker` first marks failed the jobs a dead worker left running, then runs the queue.
                    worker, started = subprocess.Popen([sys.executable, "-m", "fupin.cli", "worker"]), time.monotonic()
                stopping.wait(0.5)
        finally:
            _stop(web, worker)


def _stop(*processes) -> None:
    """SIGTERM to each (gunicorn finishes its requests, the worker its current job), then SIGKILL after a grace."""
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
