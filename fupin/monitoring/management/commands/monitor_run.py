import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.core.channels import Channel
from fupin.monitoring import services
from fupin.monitoring.models import Family

from ._common import acting_user, region_or_root


class Command(BaseCommand):
    help = "运行防返贫监测预警（或 --checks 运行逻辑校验），打印扫描户数、新增、关闭、未变的预警数和耗时。"

    def add_arguments(self, parser):
        parser.add_argument("--region", help="区划代码（县或乡镇；默认全部）")
        parser.add_argument("--year", type=int, help="收支年度（默认上一年度）")
        parser.add_argument("--checks", action="store_true", help="运行数据逻辑校验而不是监测预警")
        parser.add_argument("--user", help="以该账号身份运行（按其数据权限）；默认以系统身份运行")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出运行摘要")

    def handle(self, *args, **options):
        region = region_or_root(options["region"])
        year = options["year"] or services.default_year()
        family = Family.QUALITY if options["checks"] else Family.MONITORING
        try:
            record = services.run(family, region, year, acting_user=acting_user(options["user"]),
                                  channel=Channel.CLI)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        summary = record.summary()
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        noun = "问题" if family == Family.QUALITY else "预警"
        self.stdout.write(
            f"{region.name}（{region.code}）{year}年度{record.get_family_display()}：扫描 {record.scanned} 户，"
            f"新增{noun} {record.opened}，更新 {record.updated_count}，关闭 {record.closed}，未变 {record.unchanged}，"
            f"用时 {record.seconds:.2f} 秒"
        )
        for warning in record.warnings:
            self.stderr.write(f"提示：{warning}")
