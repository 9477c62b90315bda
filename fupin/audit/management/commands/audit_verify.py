"""``fupin audit verify``: check the audit log's hash chain and report the first broken link."""

import json

from django.core.management.base import BaseCommand, CommandError

from fupin.audit.services import describe, verify_log


class Command(BaseCommand):
    help = "校验操作日志哈希链：逐条核对每条记录的哈希及其与上一条的链接，报告第一处断链（记录编号、时间、问题类型）。"

    def add_arguments(self, parser):
        parser.add_argument("--archives", action="store_true", help="同时重新读取并校验归档文件")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出校验结果")

    def handle(self, *args, archives, **options):
        report = verify_log(files=archives)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        elif report.ok:
            self.stdout.write(describe(report))
        if not report.ok:
            raise CommandError(describe(report))
