from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from fupin.accounts.models import User
from fupin.core.channels import Channel
from fupin.procedures.services import escalate_overdue


class Command(BaseCommand):
    help = ("逾期上报：把已逾期的村级、乡镇级环节记录为上报上一级督办（每个环节每次计时只记一次）。"
            "宜每个工作日定时运行。例：fupin procedures escalate")

    def add_arguments(self, parser):
        parser.add_argument("--user", help="以该账号的身份和数据权限执行（默认：系统，全部区划）")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = User.objects.select_related("region").filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"账号“{options['user']}”不存在或已停用")
        try:
            count = escalate_overdue(acting_user=user, channel=Channel.CLI)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已逾期上报{count}个环节")
