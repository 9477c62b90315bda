import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "迁移数据库并启动网站（默认 127.0.0.1:8000）与后台任务进程。"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args, addrport, no_worker, **options):
        call_command("migrate", interactive=False, verbosity=0)
        worker = None
        if not no_worker:
            # This worker is the only one, so a job still marked running was cut off when the last one stopped;
            # its writes were rolled back with its transaction, so say so instead of showing it running forever.
            from fupin.jobs.models import Job, Status

            Job.objects.filter(status=Status.RUNNING).update(
                status=Status.FAILED, message="任务因服务停止而中断，数据未作更改，请重新提交"
            )
            # The worker runs beside the web server so imports and exports make progress without a second command.
            worker = subprocess.Popen(
                [sys.executable, "-m", "fupin.cli", "db_worker", "--no-reload", "--interval", "1"]
            )
        # A plain `kill` must still stop the worker, so turn SIGTERM into a normal exit that runs `finally`.
        signal.signal(signal.SIGTERM, lambda *args: sys.exit(0))
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
