from django.core.management import call_command
from django.core.management.base import BaseCommand

from fupin.jobs.services import sweep_interrupted


class Command(BaseCommand):
    help = "启动后台任务进程：先把上次被中断的任务标记为失败，再依次执行排队的任务。"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1, help="无任务时每隔多少秒查看一次队列（默认 1）")

    def handle(self, *args, interval, **options):
        swept = sweep_interrupted()
        if swept:
            self.stderr.write(f"已将 {len(swept)} 个被中断的任务标记为失败（数据未作更改）")
        call_command("db_worker", "--no-reload", "--no-startup-delay", "--interval", str(interval),
                     verbosity=options["verbosity"])
