import json

from fupin.procedures import workdays
from fupin.procedures.filters import filter_procedures
from fupin.procedures.models import Procedure

from ._common import ProcedureCommand


class Command(ProcedureCommand):
    help = "列出程序（按账号数据权限）。例：fupin procedures list --user xiang_a --overdue"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--kind", help="identification / exit / return / natural / monitoring / elimination / "
                            "reflag / elim_rollback")
        parser.add_argument("--status", help="in_progress / approved / rejected / withdrawn")
        parser.add_argument("--region", help="区划代码（含下级）")
        parser.add_argument("--year", type=int)
        parser.add_argument("--todo", action="store_true", help="只列待该账号办理的")
        parser.add_argument("--overdue", action="store_true", help="只列已逾期的")
        parser.add_argument("--json", action="store_true", help="每行一个 JSON 对象")

    def act(self, user, options):
        params = {k: ("on" if v is True else str(v)) for k, v in options.items()
                  if k in ("kind", "status", "region", "year", "todo", "overdue") and v not in (None, False)}
        queryset, form = filter_procedures(
            Procedure.objects.visible_to(user).select_related("household", "village"), params, user
        )
        if form.is_bound and not form.is_valid():
            self.stderr.write(str(form.errors))
        calendars = workdays.Calendars()
        for procedure in queryset.prefetch_related("steps").order_by("-created", "-id"):
            step = procedure.current_step
            clock = calendars.clock(step, procedure.village_id) if step else None
            row = {
                "id": procedure.pk, "kind": procedure.get_kind_display(), "year": procedure.year,
                "household": procedure.household.number, "head": procedure.household.head_name,
                "village": procedure.village.name, "status": procedure.get_status_display(),
                "step": step.name if step else "", "due": step.due.isoformat() if step and step.due else "",
                "overdue": bool(step and step.is_overdue),
                "due_state": clock.state if clock else "", "due_label": clock.label if clock else "",
                "escalated": bool(step and step.escalated),
            }
            if options["json"]:
                self.stdout.write(json.dumps(row, ensure_ascii=False, default=str))
            else:
                flag = f"（{row['due_label']}）" if row["due_label"] else ""
                self.stdout.write(f"#{row['id']}\t{row['kind']}\t{row['year']}\t{row['head']}\t{row['village']}\t"
                                  f"{row['status']}\t{row['step']}{flag}\t{row['due']}")
