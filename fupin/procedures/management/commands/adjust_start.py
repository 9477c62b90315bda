import json

from fupin.core.channels import Channel
from fupin.procedures import adjustment

from ._common import AdjustmentCommand


class Command(AdjustmentCommand):
    help = "为村级已确认的候选户批量发起程序（逐户校验，未通过的记录原因）。"

    def act(self, user, options):
        result = adjustment.start_confirmed(self.adjustment(user, options), acting_user=user,
                                            progress=self.progress, channel=Channel.CLI)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
