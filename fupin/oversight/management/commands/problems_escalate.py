"""fupin problems escalate [--user U] [--date YYYY-MM-DD]: report every overdue problem to the level above, once."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.core.channels import Channel
from fupin.core.commands import acting_user
from fupin.oversight.services import escalate


class Command(BaseCommand):
    help = ("逾期上报（每个工作日运行）：超过整改时限（及宽限天数）尚未销号的问题标记逾期并上报上一级督办，"
            "每个问题只上报一次，记入操作日志。")

    def add_arguments(self, parser):
        parser.add_argument("--user", help="以该账号（乡镇级或县级）的身份和管辖范围执行；省略时以系统身份执行")
        parser.add_argument("--date", help="按该日期判断逾期（默认今天），格式 YYYY-MM-DD")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date 格式应为 YYYY-MM-DD") from exc
        try:
            reported = escalate(today=today, acting_user=acting_user(options["user"]), channel=Channel.CLI)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        for problem in reported:
            self.stdout.write(f"{problem.pk}\t{problem.region.name}\t{problem.deadline}\t{problem.description[:40]}")
        self.stderr.write(f"逾期上报 {len(reported)} 个问题")
