import json

from django.core.management.base import BaseCommand

from fupin.comparison import rules
from fupin.comparison.models import DatasetKind


class Command(BaseCommand):
    help = "列出比对数据类型：代码、名称、提供部门、字段及常见表头、适用规则。"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出，每个类型一行")

    def handle(self, *args, **options):
        for kind in DatasetKind.objects.prefetch_related("fields"):
            fields = [{"name": f.name, "label": f.label, "type": f.type, "required": f.required,
                       "aliases": f.alias_list} for f in kind.fields.all()]
            kind_rules = [r.code for r in rules.for_kinds([kind.code])]
            if options["json"]:
                self.stdout.write(json.dumps({"code": kind.code, "name": kind.name, "department": kind.department,
                                              "full_list": kind.full_list, "active": kind.active, "fields": fields,
                                              "rules": kind_rules}, ensure_ascii=False))
            else:
                columns = "、".join(f"{f['label']}({f['name']}){'*' if f['required'] else ''}" for f in fields)
                self.stdout.write(f"{kind.code}\t{kind.name}\t{kind.department}\t{columns}\t规则：{','.join(kind_rules) or '—'}")
