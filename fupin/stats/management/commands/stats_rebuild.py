"""fupin stats rebuild [--year Y] [--county CODE]: rebuild the aggregate figures now (the job's work, in this
process), printing the rows written and the time taken."""

from django.core.management.base import BaseCommand, CommandError

from fupin.stats.rebuild import rebuild


class Command(BaseCommand):
    help = "重新汇总统计数据（各驾驶舱和报表读取的汇总表）：按年度和县（省略为全部）替换汇总数据。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年度，省略为本年")
        parser.add_argument("--county", default="", help="县的区划代码（12位或前6位），省略为全部")

    def handle(self, *args, year, county, **options):
        try:
            done = rebuild(county[:6], year, trigger="命令行")
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{done.year}年统计数据已汇总：{done.rows} 行，耗时 {done.seconds} 秒")
