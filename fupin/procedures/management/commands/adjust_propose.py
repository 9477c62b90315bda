import json
import time

from fupin.procedures import adjustment

from ._common import AdjustmentCommand


class Command(AdjustmentCommand):
    help = "测算年度动态调整候选户（脱贫、返贫、新识别、自然增减），集合运算，结果待村级确认。"

    def act(self, user, options):
        started = time.perf_counter()
        result = adjustment.propose(self.adjustment(user, options), acting_user=user, progress=self.progress)
        result["seconds"] = round(time.perf_counter() - started, 2)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
