from django.core.management.base import BaseCommand, CommandError

from fupin.core.commands import acting_user, json_dumps
from fupin.projects.filters import filter_projects
from fupin.projects.models import Project


def row(project: Project) -> dict:
    step = project.current_step
    return {
        "id": project.pk, "year": project.year, "region": project.region_id, "region_name": project.region.name,
        "name": project.name, "kind": project.kind, "kind_label": project.get_kind_display(),
        "status": project.status, "status_label": project.get_status_display(),
        "library_status": project.library_status, "library_status_label": project.get_library_status_display(),
        "planned_amount": str(project.planned_amount), "fund_source": project.get_fund_source_display(),
        "implementing_unit": project.implementing_unit, "scale": project.scale,
        "expected_households": project.expected_households, "step": step.name if step else "",
        "progress": project.progress, "approved_on": project.approved_on, "handed_over_on": project.handed_over_on,
    }


class Command(BaseCommand):
    help = "列出项目库（按账号数据权限；与列表页相同的筛选）。例：fupin projects list --year 2026 --json"

    def add_arguments(self, parser):
        parser.add_argument("--user", help="按该账号的管辖范围列出；省略时列出全部")
        parser.add_argument("--year", type=int)
        parser.add_argument("--kind", help="项目类别代码，如 industry、infrastructure")
        parser.add_argument("--status", help="declared / approved / in_progress / accepted / handed_over / rejected")
        parser.add_argument("--library", help="in 在库 / out 已出库")
        parser.add_argument("--region", help="区划代码（含下级）")
        parser.add_argument("--json", action="store_true", help="每行一个 JSON 对象")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        queryset = Project.objects.all() if user is None else Project.objects.visible_to(user)
        params = {k: str(options[k]) for k in ("year", "kind", "status", "library", "region")
                  if options[k] not in (None, "")}
        queryset, form = filter_projects(queryset, params, user)
        if form.is_bound and not form.is_valid():
            raise CommandError("；".join(f"{k}：{'，'.join(v)}" for k, v in form.errors.items()))
        for project in queryset.select_related("region").prefetch_related("steps").order_by("-year", "region_id", "id"):
            data = row(project)
            if options["json"]:
                self.stdout.write(json_dumps(data))
            else:
                self.stdout.write(f"#{data['id']}\t{data['year']}\t{data['region_name']}\t{data['name']}\t"
                                  f"{data['kind_label']}\t{data['status_label']}\t{data['planned_amount']}元")
