from django.db.models import Count, F, Sum

from fupin.projects.models import LibraryStatus, Project, ProjectKind, ProjectStatus

from . import CATALOGUE, Family, Indicator

APP, GROUP = "projects", "扶贫项目"

CATALOGUE.add(
    Indicator("projects.count", "在库项目数", "个", GROUP, APP, "项目状态", lambda: dict(ProjectStatus.choices)),
    Indicator("projects.amount", "在库项目计划投资", "元", GROUP, APP, "项目状态", lambda: dict(ProjectStatus.choices)),
    Indicator("projects.kind", "在库项目数（按类别）", "个", GROUP, APP, "项目类别", lambda: dict(ProjectKind.choices)),
    Indicator("projects.kind_amount", "计划投资（按类别）", "元", GROUP, APP, "项目类别", lambda: dict(ProjectKind.choices)),
)


def _in_library(year):
    return Project.objects.filter(year=year, library_status=LibraryStatus.IN)


CATALOGUE.family(Family(_in_library, F("region_id"), F("status"),
                        {"projects.count": Count("id"), "projects.amount": Sum("planned_amount")}, yearly=True))
CATALOGUE.family(Family(_in_library, F("region_id"), F("kind"),
                        {"projects.kind": Count("id"), "projects.kind_amount": Sum("planned_amount")}, yearly=True))
