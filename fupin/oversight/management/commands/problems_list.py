"""fupin problems list [--filter 名=值 …] [--user U] [--json]: the ledger with the page's filters, one line each."""

import json

from django.core.management.base import BaseCommand, CommandError

from fupin.core.commands import acting_user
from fupin.oversight.filters import filter_problems
from fupin.oversight.models import Problem


class Command(BaseCommand):
    help = ("列出问题台账（筛选条件同问题台账页面：status、source_kind、category、region、overdue=1、owner、"
            "deadline_from、deadline_to），--json 时每个问题一行 JSON。")

    def add_arguments(self, parser):
        parser.add_argument("--filter", action="append", default=[], metavar="名=值",
                            help="与列表页相同的筛选条件，可重复，例如 --filter overdue=1")
        parser.add_argument("--user", help="按该账号的管辖范围列出；省略时列出全部")
        parser.add_argument("--json", action="store_true", help="每个问题一行 JSON")

    def handle(self, *args, **options):
        params = {}
        for item in options["filter"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter 应写成 名=值：{item}")
            params[key.strip()] = value.strip()
        user = acting_user(options["user"])
        queryset = Problem.objects.all() if user is None else Problem.objects.visible_to(user)
        queryset, form = filter_problems(queryset, params, user)
        if form.is_bound and not form.is_valid():
            raise CommandError("；".join(f"{form.fields[f].label if f in form.fields else f}：{'，'.join(e)}"
                                        for f, e in form.errors.items()))
        count = 0
        for problem in queryset.select_related("region", "household").order_by("deadline", "id").iterator(2000):
            line = {"id": problem.pk, "source_kind": problem.source_kind, "subject": problem.subject,
                    "region": problem.region_id, "region_name": problem.region.name,
                    "household": problem.household.number if problem.household_id else None,
                    "category": problem.category, "item": problem.item, "description": problem.description,
                    "responsible_unit": problem.responsible_unit, "owner_name": problem.owner_name,
                    "deadline": problem.deadline.isoformat(), "status": problem.status,
                    "overdue": problem.is_overdue, "escalated": problem.escalated_at is not None}
            if options["json"]:
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            else:
                self.stdout.write("\t".join(str(v) for v in (
                    problem.pk, problem.region.name, problem.get_category_display(), problem.deadline,
                    problem.get_status_display() + ("（逾期）" if problem.is_overdue else ""),
                    problem.description[:40])))
            count += 1
        self.stderr.write(f"共 {count} 个问题")
