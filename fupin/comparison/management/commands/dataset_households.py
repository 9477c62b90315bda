import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.comparison.actions.households import create_households, plan_households
from fupin.comparison.models import Dataset
from fupin.core.channels import Channel

from ._options import acting_user, add_user_option, command_error


class Command(BaseCommand):
    help = (
        "用户籍人口数据集（household_registration）为一个村批量建档一般农户：按户号分户，已登记（在册）、死亡迁出注销、"
        "重复的人员跳过并列出原因；全部校验通过后一次写入，或不写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dataset", type=int, required=True, help="户籍人口数据集编号（fupin dataset list）")
        parser.add_argument("--village", help="村的12位区划代码（默认：数据集的上传区划，须为村）")
        parser.add_argument("--dry-run", action="store_true", help="只核对并报告将新建的户数、人数和跳过的人员，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        add_user_option(parser)

    def handle(self, *args, dataset, village, dry_run, **options):
        found = Dataset.objects.select_related("kind").filter(pk=dataset).first()
        if found is None:
            raise CommandError(f"没有数据集 {dataset}")
        user = acting_user(options["user"])
        try:
            if dry_run:
                result = plan_households(found, village, acting_user=user).summary(written=False)
            else:
                result = create_households(found, village, acting_user=user, channel=Channel.CLI)
        except (ValidationError, PermissionDenied) as exc:
            raise command_error(exc) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(result["summary"])
        for item in result["created"]:
            self.stdout.write(f"  户编号 {item['number']}（户号 {item['hukou_no']}）户主 {item['head_name']}，{item['size']} 人")
        for item in result["skipped"]:
            self.stdout.write(f"  跳过 第{item['row']}行 {item['name']} {item['id_number']}：{item['reason']}")
