"""``fupin manual print --village CODE FILE.pdf``: the village's 扶贫手册, one PDF (each household with its own page
numbers) or, when FILE ends in .zip, a zip of one PDF per household. Progress goes to stderr."""

import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from fupin.core.channels import Channel
from fupin.core.commands import StderrProgress, acting_user
from fupin.regions.models import Level, Region

from ... import manual


class Command(BaseCommand):
    help = "打印一个村的扶贫手册（PDF；文件名以 .zip 结尾时每户一个 PDF 打包）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出文件（.pdf 或 .zip）")
        parser.add_argument("--village", required=True, help="村的12位区划代码")
        parser.add_argument("--user", help="以该用户身份打印（按其管辖范围）；省略时以系统身份打印")
        parser.add_argument("--year", type=int, help="收支测算的年度（默认每户最近一年）")
        parser.add_argument("--full", action="store_true", help="含完整证件号码（须有相应权限，记入日志）")

    def handle(self, *args, file, village, user, year, full, **options):
        target = Path(file)
        if target.suffix.lower() not in (".pdf", ".zip"):
            raise CommandError("输出文件须以 .pdf 或 .zip 结尾")
        region = Region.objects.filter(code=village, level=Level.VILLAGE).first()
        user = acting_user(user)
        if region is None or (user is not None and not Region.objects.visible_to(user).filter(code=village).exists()):
            raise CommandError(f"村 {village} 不存在或不在管辖范围内")
        started = time.monotonic()
        try:
            count = manual.print_village(region, user, target, as_zip=target.suffix.lower() == ".zip", full=full,
                                         year=year, channel=Channel.CLI, progress=StderrProgress(self.stderr))
        except PermissionDenied as exc:
            target.unlink(missing_ok=True)
            raise CommandError(str(exc)) from exc
        seconds = time.monotonic() - started
        per = f"，每户 {seconds / count:.2f} 秒" if count else ""
        self.stderr.write(f"用时 {seconds:.1f} 秒{per}")
        self.stdout.write(f"已生成 {region.name} {count} 户的扶贫手册：{target}")
