"""Registry Excel pages: household/member import (with its template) and the household and member exports."""

import io

from django.http import FileResponse
from django.urls import reverse

from fupin.core.exports import XLSX
from fupin.jobs import exports
from fupin.jobs import imports as import_jobs
from fupin.regions.models import Level, Region

from . import imports, services
from .jobs import duplicate_report_export as _duplicate_report_export
from .jobs import household_export as _household_export
from .jobs import member_export as _member_export

household_export = exports.view(_household_export)
member_export = exports.view(_member_export)
duplicate_report_export = exports.view(_duplicate_report_export)


def household_import(request):
    services.ensure_can_write(request.user, request.user.region_id or "")
    return import_jobs.page(
        request, kind="registry.import_households", title="导入贫困户和家庭成员",
        intro="一行一名家庭成员，同一户的各行户编号相同。导入只新增户；已有户的修改请在户档案中进行。",
        template_url=reverse("registry:import_template"), template_name="贫困户导入模板.xlsx",
        columns=imports.explanation_rows(), back_url=reverse("registry:household_list"),
    )


def import_template(request):
    """The template workbook, its example rows set in one of the user's own villages."""
    village = Region.objects.visible_to(request.user).filter(level=Level.VILLAGE).order_by("code").first()
    buffer = io.BytesIO()
    imports.write_template(buffer, village.code if village else imports.EXAMPLE_VILLAGE)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename="贫困户导入模板.xlsx", content_type=XLSX)
