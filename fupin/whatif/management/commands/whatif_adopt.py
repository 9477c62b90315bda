"""fupin whatif adopt --scenario ID --user NAME: write a run scenario's changes into the live configuration."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.core.channels import Channel
from fupin.core.commands import acting_user
from fupin.whatif import services

from .whatif_run import scenario_for


class Command(BaseCommand):
    help = ("采纳政策模拟方案：把各调整项写入本县现行配置（扶贫标准、监测参数与规则、政策标准），记入操作日志；"
            "现行值自模拟运行后已变化时拒绝。须以县级账号执行。")

    def add_arguments(self, parser):
        parser.add_argument("--scenario", type=int, required=True, help="模拟方案编号")
        parser.add_argument("--user", required=True, help="执行采纳的县级账号")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        scenario = scenario_for(user, options["scenario"])
        try:
            scenario = services.adopt(scenario, acting_user=user, channel=Channel.CLI)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(f"已采纳{scenario}")
