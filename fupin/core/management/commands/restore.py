from django.core.management.base import BaseCommand, CommandError

from fupin.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "用备份文件替换整个数据库（先停止网站和后台任务进程）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="fupin backup 生成的备份文件")
        parser.add_argument("--force", action="store_true", help="当前数据库已有数据时仍然恢复（数据将被替换）")

    def handle(self, *args, file, force, **options):
        try:
            restore(file, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已从 {file} 恢复数据库"))
