from django.core.management.base import BaseCommand

from fupin.core.channels import Channel
from fupin.sectors import services


class Command(BaseCommand):
    help = "低保、特困渐退期满的记录标记为已退出（每日运行）。"

    def handle(self, *args, **options):
        ended = services.end_tapers(channel=Channel.CLI)
        self.stdout.write(f"渐退期满退出 {ended} 条")
