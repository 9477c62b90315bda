"""fupin problems import FILE [--user U] [--json]: record a problem list, every row checked, all rows or none."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from fupin.core.commands import ImportCommand
from fupin.oversight.imports import import_problems


def _run(path, *, acting_user, channel, progress=None):
    try:
        return import_problems(path, acting_user=acting_user, channel=channel)
    except (ValidationError, PermissionDenied) as exc:
        raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc


class Command(ImportCommand):
    help = ("导入问题清单（督查巡查、审计、考核评估反馈的问题，.xlsx/.xls/.csv，列同导入模板）：逐行校验来源、区划、"
            "户编号、项目、类别、细项、责任人和时限，全部正确才写入；有错误时在文件旁生成错误清单，退出码为 1。")
    run = staticmethod(_run)
