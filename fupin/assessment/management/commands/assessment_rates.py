"""fupin assessment rates --assessment ID [--json]: 三率一度 per township and for the whole assessment."""

from django.core.management.base import BaseCommand

from fupin.assessment import rates
from fupin.core.commands import acting_user, json_dumps
from fupin.core.scope import user_scope_prefix

from .assessment_sample import find_assessment


class Command(BaseCommand):
    help = ("计算评估批次的三率一度：漏评率、错退率、综合贫困发生率、群众认可度，各含分子、分母、门槛和结论；"
            "--json 时每个乡镇一行 JSON，最后一行为合计（is_total 为 true）。")

    def add_arguments(self, parser):
        parser.add_argument("--assessment", type=int, required=True, help="评估批次编号")
        parser.add_argument("--json", action="store_true", help="每个乡镇一行 JSON，最后一行为合计")
        parser.add_argument("--user", help="以该账号的身份和管辖范围执行；省略时以系统身份执行")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        assessment = find_assessment(options["assessment"], user)
        prefix = (user_scope_prefix(user) or "") if user is not None else ""
        prefix = prefix if len(prefix) > len(assessment.region.prefix) else ""
        for result in rates.results(assessment, prefix):
            if options["json"]:
                self.stdout.write(json_dumps(result.as_dict()))
                continue
            cells = [f"{f.label} {'—' if f.value is None else f'{f.value}%'}（{f.numerator}/{f.denominator}，"
                     f"{f.gate_text}，{f.verdict}）" for f in result.figures]
            self.stdout.write("\t".join([result.name, f"调查 {result.surveyed}/{result.sampled} 户", *cells]))
