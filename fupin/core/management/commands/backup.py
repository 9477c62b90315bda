from django.core.management.base import BaseCommand, CommandError

from fupin.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "把整个数据库备份到文件（SQLite 或 PostgreSQL；网站运行时也可执行）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件路径")
        parser.add_argument("--force", action="store_true", help="覆盖已存在的备份文件")

    def handle(self, *args, file, force, **options):
        try:
            path = backup(file, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已备份到 {path}（{path.stat().st_size:,} 字节）"))
