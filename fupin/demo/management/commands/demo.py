"""``fupin demo``: fill the database with the demo region tree, registry, history and logins."""

import time

from django.core.management.base import BaseCommand, CommandError

from fupin.accounts.models import Role
from fupin.demo import accounts, generator


class Command(BaseCommand):
    help = ("生成演示数据：河南省平顶山市演示县（默认约5000人）的行政区划、农户和成员、收支、三保障、监测对象、变更痕迹、"
            "演示账号，以及监测预警、各类程序、帮扶和数据比对的办理记录")

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=generator.DEFAULT_PEOPLE,
                            help="人数（默认 %(default)s；300000 约为一个县，10000000 约为一个省）")
        parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED, help="随机种子，相同种子生成相同数据")
        parser.add_argument("--reset", action="store_true",
                            help="先清空行政区划、建档立卡数据、操作日志和演示账号（数据库中已有演示数据时总会清空）")
        parser.add_argument("--database", default="default")

    def handle(self, *args, people, seed, reset, database, **options):
        if people < 1:
            raise CommandError("--people 必须大于0")
        started = time.perf_counter()
        try:
            result = generator.run(people, seed, reset=reset, using=database, report=self.stdout.write)
        except generator.DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        counts = result.counts
        rows = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(
            f"完成：{counts['households']:,} 户，{counts['members']:,} 人，共写入 {rows:,} 行，用时 {seconds:.1f} 秒"
            f"（生成 {result.generate_seconds:.1f} 秒，写入 {result.load_seconds:.1f} 秒，建索引 {result.index_seconds:.1f} 秒，"
            f"业务办理 {result.activity_seconds:.1f} 秒）"
        ))
        if result.activity:
            activity = result.activity
            self.stdout.write(
                f"业务办理：监测预警 {activity['alerts']:,} 条，程序 {activity['procedures']} 件，"
                f"帮扶结对 {activity['pairings']} 对，比对疑点 {activity['suspects']} 条"
            )
        self.stdout.write(f"\n演示账号（密码均为 {accounts.DEMO_PASSWORD}）：")
        for account, region in result.accounts:
            self.stdout.write(
                f"  {account.username:<8} {Role(account.role).label:<10} {region.full_name() or region.name}"
            )
