from fupin.core.channels import Channel
from fupin.procedures import adjustment

from ._common import AdjustmentCommand


class Command(AdjustmentCommand):
    help = "重新开启已关闭的年度动态调整（须说明原因，记录在案）。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--reason", required=True, help="重新开启的原因")

    def act(self, user, options):
        reopened = adjustment.reopen_adjustment(self.adjustment(user, options), reason=options["reason"],
                                                acting_user=user, channel=Channel.CLI)
        self.stdout.write(f"已重新开启{reopened}")
