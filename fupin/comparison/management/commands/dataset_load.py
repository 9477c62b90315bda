import datetime as dt
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.comparison.actions.datasets import load_dataset
from fupin.comparison.models import DatasetKind
from fupin.core.channels import Channel

from ._options import acting_user, add_user_option, command_error


class Command(BaseCommand):
    help = (
        "导入一个部门数据文件（.xlsx/.xls/.csv）：按表头自动对应列（姓名、身份证号/证件号码/公民身份号码、死亡日期……），"
        "规范化证件号码，打印数据集编号和校验报告。数据类型代码见 fupin dataset kinds。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", required=True, help="数据类型代码，如 death、dibao、medical_insurance")
        parser.add_argument("--title", default="", help="数据集名称（默认：文件名）")
        parser.add_argument("--reference-date", help="数据截止日期 YYYY-MM-DD（默认：今天）")
        parser.add_argument("--department", default="", help="提供部门（默认：数据类型的部门）")
        parser.add_argument("--region", help="归属区划代码（默认：账号所属区划；系统导入为全部可见）")
        parser.add_argument("--map", action="append", default=[], metavar="字段=表头",
                            help="指定列对应，如 --map death_date=死亡时间；可重复")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        add_user_option(parser)

    def handle(self, *args, file, kind, **options):
        code = kind
        kind = DatasetKind.objects.filter(code=code).first()
        if kind is None:
            known = "、".join(DatasetKind.objects.filter(active=True).values_list("code", flat=True))
            raise CommandError(f"没有数据类型 {code}；可用：{known}")
        mapping = {}
        for item in options["map"]:
            field, sep, header = item.partition("=")
            if not sep:
                raise CommandError(f"--map 应为 字段=表头，收到 {item}")
            mapping[field.strip()] = header.strip()
        try:
            reference = dt.date.fromisoformat(options["reference_date"]) if options["reference_date"] else None
        except ValueError as exc:
            raise CommandError("--reference-date 应为 YYYY-MM-DD") from exc
        try:
            dataset = load_dataset(
                file, kind=kind, acting_user=acting_user(options["user"]), channel=Channel.CLI, mapping=mapping,
                title=options["title"], reference_date=reference, department=options["department"],
                region_code=options["region"],
            )
        except (ValidationError, PermissionDenied) as exc:
            raise command_error(exc) from exc
        except FileNotFoundError as exc:
            raise CommandError(f"文件不存在：{file}") from exc
        report = dataset.report
        if options["json"]:
            self.stdout.write(json.dumps({
                "dataset_id": dataset.pk, "title": dataset.title, "kind": kind.code,
                "rows_read": dataset.rows_read, "rows_stored": dataset.rows_stored,
                "ids_changed": dataset.ids_changed, "ids_rejected": dataset.ids_rejected,
                "duplicates": dataset.duplicates, "columns": report["columns"], "header_row": report["header_row"],
                "rejected_reasons": report["rejected_reasons"], "rejected": report["rejected_samples"],
                "duplicate_ids": report["duplicate_samples"], "field_warnings": report["field_warnings"],
                "error_file": dataset.error_file,
            }, ensure_ascii=False))
            return
        self.stdout.write(f"数据集编号：{dataset.pk}（{dataset.title}，{kind.name}）")
        self.stdout.write(f"列对应：{'，'.join(f'{h}→{f}' for f, h in report['columns'].items())}（表头第{report['header_row']}行）")
        self.stdout.write(
            f"读取 {dataset.rows_read} 行；有效证件号码 {dataset.rows_stored} 个（其中规范化 {dataset.ids_changed} 个）；"
            f"无效 {dataset.ids_rejected} 个；重复 {dataset.duplicates} 行"
        )
        for reason, count in report["rejected_reasons"].items():
            self.stdout.write(f"  无效原因：{reason}（{count} 行）")
        for sample in report["rejected_samples"][:20]:
            self.stdout.write(f"  第{sample['row']}行 “{sample['value']}”：{sample['reason']}")
        for label, warning in report["field_warnings"].items():
            self.stdout.write(f"  {label}：{warning['count']} 行无法识别，按空值处理")
