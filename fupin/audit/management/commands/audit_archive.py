"""``fupin audit archive --before DATE``: move old audit rows into a compressed, verifiable archive file."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fupin.audit import archive
from fupin.core.channels import Channel
from fupin.core.commands import acting_user


class Command(BaseCommand):
    help = (
        "归档操作日志：把指定日期以前的记录写入压缩归档文件（FUPIN_AUDIT_ARCHIVE_DIR）并从日志表移出，"
        "哈希链跨归档仍可校验。只能归档保存期限（FUPIN_AUDIT_RETENTION_DAYS，不少于183天）以前的记录。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, type=dt.date.fromisoformat, help="截止日期 YYYY-MM-DD（不含当天）")
        parser.add_argument("--user", help="以该账号身份归档（记入操作日志）")

    def handle(self, *args, before, user, **options):
        cut = timezone.make_aware(dt.datetime.combine(before, dt.time()))
        try:
            record = archive.archive(before=cut, acting_user=acting_user(user), channel=Channel.CLI)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if record is None:
            self.stdout.write(f"{before:%Y-%m-%d} 以前没有可归档的记录")
            return
        self.stdout.write(
            f"已归档第 {record.first_id}–{record.last_id} 条，共 {record.rows} 条，文件 {record.path}"
            f"（SHA-256 {record.sha256}）"
        )
