from fupin.core.channels import Channel
from fupin.procedures import adjustment

from ._common import AdjustmentCommand


class Command(AdjustmentCommand):
    help = "开启某县某年度的动态调整（县级账号）。例：fupin adjust open --year 2016 --user xian"

    def act(self, user, options):
        opened = adjustment.open_adjustment(self.county(user, options), options["year"], acting_user=user,
                                            channel=Channel.CLI)
        self.stdout.write(f"已开启{opened}（适用扶贫标准 {opened.line_amount} 元），编号 {opened.pk}")
