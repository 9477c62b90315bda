"""Region Excel pages: the region tree import and export (the export is a valid import file)."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from fupin.jobs import exports
from fupin.jobs import imports as import_jobs

from .imports import REQUIRED
from .jobs import region_export as _region_export
from .tables import COLUMNS

region_export = exports.view(_region_export)


def region_import(request):
    if not request.user.can_administer:
        raise PermissionDenied("只有系统管理员可以导入行政区划")
    columns = [[c.header, "必填" if c.header in REQUIRED else "", c.help, ""] for c in COLUMNS]
    return import_jobs.page(
        request, kind="regions.import", title="导入行政区划",
        intro="每行一个区划：代码已存在的更新，不存在的新增。导出的区划表可直接修改后导入。",
        template_url=f"{reverse('regions:region_export')}?full=0", template_name="导出当前区划作为模板",
        columns=columns, back_url=reverse("regions:tree"),
    )
