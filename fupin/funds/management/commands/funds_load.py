"""fupin funds load FILE --kind disbursement [--json]: load a bank file into a new batch, all rows or none."""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.core.channels import Channel
from fupin.core.commands import StderrProgress, acting_user
from fupin.funds.imports import create_batch, load_disbursements
from fupin.funds.models import BatchKind


class Command(BaseCommand):
    help = ("导入银行拨付明细文件（.xlsx/.xls/.csv）：逐行校验证件号码、金额、日期、村代码和资金分配编号（或资金文号），"
            "全部正确才写入（否则不写入任何数据并生成错误清单），打印批次编号和校验报告；有错误时退出码为 1。")

    def add_arguments(self, parser):
        parser.add_argument("file", help="银行拨付明细文件")
        parser.add_argument("--kind", default=BatchKind.DISBURSEMENT, choices=BatchKind.values,
                            help="批次类型（disbursement：拨付明细）")
        parser.add_argument("--user", help="以该账号的身份和管辖范围导入；省略时以系统身份导入")
        parser.add_argument("--map", action="append", default=[], metavar="字段=表头",
                            help="指定列对应，如 --map amount=发放金额；可重复")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出（batch、rows、loaded、errors）")

    def handle(self, *args, file, kind, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        mapping = {}
        for item in options["map"]:
            field, sep, header = item.partition("=")
            if not sep:
                raise CommandError(f"--map 应为 字段=表头，收到 {item}")
            mapping[field.strip()] = header.strip()
        account = acting_user(user)
        progress = StderrProgress(self.stderr) if options["verbosity"] > 1 else None
        try:
            batch = create_batch(path.name, acting_user=account, channel=Channel.CLI, kind=kind)
            report = load_disbursements(path, batch, acting_user=account, channel=Channel.CLI, mapping=mapping,
                                        progress=progress)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        data = {"batch": batch.pk, "rows": report["rows"], "loaded": report["loaded"],
                "total_amount": report["total_amount"], "error_count": report["error_count"],
                "errors": report["errors"], "error_file": report.get("error_file", ""),
                "summary": report["summary"], "seconds": report["seconds"]}
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        elif report["error_count"]:
            for error in report["errors"]:
                where = f"第{error['row']}行" if error["row"] else "文件"
                self.stdout.write(f"{where}「{error['column']}」：{error['reason']}")
        else:
            self.stdout.write(self.style.SUCCESS(f"批次 {batch.pk}：{report['summary']}"))
        if report["error_count"]:
            raise CommandError(f"{report['summary']}；错误清单：{data['error_file']}", returncode=1)
