import json

from django.core.management.base import BaseCommand

from fupin.comparison import access

from ._options import acting_user, add_user_option


class Command(BaseCommand):
    help = "列出比对数据集。"

    def add_arguments(self, parser):
        parser.add_argument("--kind", help="只列该类型")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出，每个数据集一行")
        add_user_option(parser)

    def handle(self, *args, **options):
        queryset = access.datasets_visible_to(acting_user(options["user"]))
        if options["kind"]:
            queryset = queryset.filter(kind__code=options["kind"])
        for d in queryset:
            row = {"id": d.pk, "title": d.title, "kind": d.kind.code, "department": d.department,
                   "created": d.created.isoformat(), "reference_date": d.reference_date.isoformat(),
                   "rows_stored": d.rows_stored, "ids_rejected": d.ids_rejected,
                   "retention_until": d.retention_until.isoformat()}
            self.stdout.write(json.dumps(row, ensure_ascii=False) if options["json"] else "\t".join(map(str, row.values())))
