"""Shared shape of the ``fupin import …`` and ``fupin export …`` commands: who acts (``--user``, else the system
with full scope), the CLI audit channel, progress on stderr, a summary or the errors on stdout, exit code 1 on
errors (the error workbook is written next to the input file)."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from fupin.core.channels import Channel

from . import excel


def acting_user(username: str | None):
    if not username:
        return None
    try:
        return get_user_model().objects.select_related("region").get(username=username)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"用户 {username} 不存在") from exc


class StderrProgress:
    """Prints each new phase and every tenth of the way through it."""

    def __init__(self, stream):
        self.stream, self.phase, self.step = stream, None, -1

    def __call__(self, done, total=None, message=None, force=False):
        phase = (message or "").split("第")[0].split("：")[0] or self.phase
        step = int(done * 10 / total) if total else -1
        if phase != self.phase or step > self.step:
            self.phase, self.step = phase, step
            self.stream.write(f"{phase or ''} {done}/{total or '?'}\n")


class ImportCommand(BaseCommand):
    """Subclasses set ``run`` (the import service) and ``help``."""

    run = None

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel（.xlsx/.xls）或 CSV 文件")
        parser.add_argument("--user", help="以该用户身份导入（按其权限和管辖范围校验）；省略时以系统身份导入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, file, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        progress = StderrProgress(self.stderr) if options["verbosity"] > 1 else None
        result = type(self).run(path, acting_user=acting_user(user), channel=Channel.CLI, progress=progress)
        data = result.as_dict()
        if not result.ok:
            error_file = path.with_name(f"{path.stem}-错误清单.xlsx")
            excel.write_errors(error_file, result.errors, source=path)
            data["error_file"] = str(error_file)
            data["errors"] = [e.as_dict() for e in result.errors]
        self._print(data, result, as_json=options["json"])
        if not result.ok:
            raise CommandError(f"{result.summary()}；错误清单：{data['error_file']}", returncode=1)

    def _print(self, data, result, *, as_json):
        if as_json:
            self.stdout.write(json_dumps(data))
            return
        if result.ok:
            self.stdout.write(self.style.SUCCESS(result.summary()))
        else:
            for error in result.errors:
                self.stdout.write(str(error))
        if data.get("ignored_columns"):
            self.stdout.write(f"已忽略的列：{'、'.join(data['ignored_columns'])}")


class ExportCommand(BaseCommand):
    """Subclasses set ``export`` (a ``core.exports.Export``) and ``help``."""

    export = None
    defaults: dict = {}  # filter values the list page starts with (members: only those still registered)

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出的 .xlsx 文件")
        parser.add_argument("--user", help="按该用户的管辖范围导出；省略时导出全部")
        parser.add_argument("--region", help="只导出该区划（代码）内的数据")
        parser.add_argument("--filter", action="append", default=[], metavar="名=值",
                            help="与列表页相同的筛选条件，可重复，例如 --filter status=1")
        parser.add_argument("--full-ids", action="store_true", help="导出完整证件号码（记入操作日志）")

    def handle(self, *args, file, user, region, filter, full_ids, **options):
        params = dict(self.defaults)
        for item in filter:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter 应写成 名=值：{item}")
            params[key] = value
        if region:
            params["region"] = region
        progress = StderrProgress(self.stderr) if options["verbosity"] > 1 else None
        try:
            count = self.export.write(acting_user(user), params, Path(file), full=full_ids, channel=Channel.CLI,
                                      progress=progress)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 行到 {file}"))


def json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)

