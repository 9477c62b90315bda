import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.comparison.models import Dataset
from fupin.core.channels import Channel
from fupin.core.commands import acting_user
from fupin.sectors import datasets


class Command(BaseCommand):
    help = "把部门数据集（民政低保/特困、教育学籍、医保住院费用、住建危房鉴定）导入行业政策记录。"

    def add_arguments(self, parser):
        parser.add_argument("dataset", type=int, help="数据集编号（fupin dataset list 可查）")
        parser.add_argument("--user", help="以该账号身份导入（按其数据权限）；默认以系统身份导入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        dataset = Dataset.objects.select_related("kind").filter(pk=options["dataset"]).first()
        if dataset is None:
            raise CommandError(f"数据集 {options['dataset']} 不存在")
        try:
            counts = datasets.load(dataset, acting_user=acting_user(options["user"]), channel=Channel.CLI)
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        if options["json"]:
            self.stdout.write(json.dumps(counts, ensure_ascii=False))
            return
        self.stdout.write(f"新增 {counts['created']} 条，已有 {counts['existing']} 条，未匹配在册人员 {counts['unmatched']} 条，"
                          f"未通过校验 {counts['refused']} 条")
        for reason in counts["reasons"]:
            self.stderr.write(reason)
