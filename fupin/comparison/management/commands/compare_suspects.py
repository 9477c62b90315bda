import json

from django.core.management.base import BaseCommand

from fupin.comparison import access
from fupin.comparison.filters import filter_suspects
from fupin.comparison.tables import rule_name

from ._options import acting_user, add_user_option

FIELDS = ("pk", "rule", "status", "id_number", "member_name", "household_number", "village_code", "dataset_id",
          "row_no", "evidence", "due_date", "created", "action_taken", "reason")


class Command(BaseCommand):
    help = "列出疑点；--json 时每个疑点一行 JSON（规则、规范化的证件号码、户编号、村代码、比对依据……）。"

    def add_arguments(self, parser):
        parser.add_argument("--rule", default="", help="规则代码")
        parser.add_argument("--status", default="", help="open 待核查 / confirmed 属实 / rejected 不属实 / closed 已消除 / active")
        parser.add_argument("--region", default="", help="乡镇或村的区划代码")
        parser.add_argument("--dataset", type=int, help="数据集编号")
        parser.add_argument("--json", action="store_true", help="每个疑点一行 JSON")
        add_user_option(parser)

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        params = {k: v for k, v in {"rule": options["rule"], "status": options["status"], "region": options["region"],
                                    "dataset": options["dataset"]}.items() if v}
        queryset, form = filter_suspects(access.suspects_visible_to(user), params, user)
        if form.errors:
            self.stderr.write("；".join(f"{k}: {'，'.join(v)}" for k, v in form.errors.items()))
            return
        for row in queryset.order_by("village_code", "household_number", "rule").values(*FIELDS).iterator(2000):
            row["id"] = row.pop("pk")
            row["rule_name"] = rule_name(row["rule"])
            row["due_date"] = row["due_date"].isoformat()
            row["created"] = row["created"].isoformat()
            if options["json"]:
                self.stdout.write(json.dumps(row, ensure_ascii=False))
            else:
                self.stdout.write("\t".join(str(row[k] or "") for k in (
                    "id", "rule", "status", "id_number", "member_name", "household_number", "village_code")))
