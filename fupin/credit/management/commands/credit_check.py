from django.core.management.base import BaseCommand

from fupin.core.channels import Channel
from fupin.core.commands import acting_user, json_dumps
from fupin.credit import services
from fupin.credit.jobs import scoped
from fupin.credit.models import Loan


class Command(BaseCommand):
    help = "每日检查：按还款计划更新贷款状态（逾期的贷款为该户登记一次风险事件），并计算已结束贴息期的贴息台账。"

    def add_arguments(self, parser):
        parser.add_argument("--user", help="以该用户身份检查（其管辖范围）；省略时以系统身份检查全部贷款")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, user, **options):
        user = acting_user(user)
        counts = services.check_overdue(scoped(Loan, user), acting_user=user, channel=Channel.CLI)
        counts["subsidies"] = services.compute_subsidies(scoped(Loan, user), acting_user=user, channel=Channel.CLI)
        if options["json"]:
            self.stdout.write(json_dumps(counts))
        else:
            self.stdout.write(f"检查贷款 {counts['checked']} 笔，逾期 {counts['overdue']} 笔，新登记风险事件 "
                              f"{counts['events']} 个，贴息台账更新 {counts['subsidies']} 条")
