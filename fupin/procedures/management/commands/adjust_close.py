import json

from fupin.core.channels import Channel
from fupin.procedures import adjustment

from ._common import AdjustmentCommand


class Command(AdjustmentCommand):
    help = "关闭年度动态调整并锁定年度数据（生成年度快照，统计据此读取）。"

    def act(self, user, options):
        result = adjustment.close_adjustment(self.adjustment(user, options), acting_user=user, channel=Channel.CLI)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
