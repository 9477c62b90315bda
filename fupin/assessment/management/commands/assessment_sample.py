"""fupin assessment sample --assessment ID [--draw [--seed N] [--reason TEXT]] [--json]: the sample, or draw it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.assessment import services
from fupin.assessment.models import Assessment, SampleHousehold
from fupin.core.channels import Channel
from fupin.core.commands import acting_user, json_dumps


def find_assessment(pk: int, user) -> Assessment:
    queryset = Assessment.objects.all() if user is None else Assessment.objects.visible_to(user)
    assessment = queryset.select_related("region").filter(pk=pk).first()
    if assessment is None:
        raise CommandError(f"评估批次 {pk} 不存在或不在当前账号的管辖范围内")
    return assessment


class Command(BaseCommand):
    help = ("列出评估批次的抽样户（--json 时每户一行 JSON：household_number 户编号、village 村代码、stratum 户层、"
            "position 抽中顺序、seed 随机种子）；--draw 先按随机种子抽样（重新抽样须 --reason）。")

    def add_arguments(self, parser):
        parser.add_argument("--assessment", type=int, required=True, help="评估批次编号")
        parser.add_argument("--draw", action="store_true", help="先抽样（已抽过则重新抽样）")
        parser.add_argument("--seed", type=int, help="抽样用的随机种子（默认沿用评估批次的种子）")
        parser.add_argument("--reason", default="", help="重新抽样的原因")
        parser.add_argument("--json", action="store_true", help="每户一行 JSON")
        parser.add_argument("--user", help="以该账号的身份和管辖范围执行；省略时以系统身份执行")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        assessment = find_assessment(options["assessment"], user)
        if options["draw"]:
            try:
                result = services.draw_sample(assessment, seed=options["seed"], reason=options["reason"],
                                              acting_user=user, channel=Channel.CLI)
            except (ValidationError, PermissionDenied) as exc:
                raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
            self.stderr.write(f"已抽样：村 {result['villages']} 个，户 {result['households']} 户，种子 {result['seed']}")
            assessment.refresh_from_db()
        rows = SampleHousehold.objects.filter(assessment=assessment)
        if user is not None:
            rows = rows.visible_to(user)
        rows = rows.order_by("township_code", "village_id", "stratum", "position").values_list(
            "household__number", "household__head_name", "village_id", "township_code", "sample_village__stratum",
            "stratum", "position", "people", "sheet__surveyed_on")
        count = 0
        for number, head, village, township, village_stratum, stratum, position, people, surveyed in rows.iterator(2000):
            count += 1
            line = {"household_number": number, "head_name": head, "village": village, "township": township,
                    "village_stratum": village_stratum, "stratum": stratum, "position": position, "people": people,
                    "surveyed_on": surveyed, "seed": assessment.seed}
            if options["json"]:
                self.stdout.write(json_dumps(line))
            else:
                self.stdout.write("\t".join(str(line[k] or "") for k in ("village", "household_number", "head_name",
                                                                          "stratum", "position", "surveyed_on")))
        self.stderr.write(f"{assessment.name}：抽样户 {count} 户，随机种子 {assessment.seed}")
