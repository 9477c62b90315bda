"""fupin villages assess --year Y [--region CODE] [--poor-only] [--json]: the village exit assessment."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.core.commands import acting_user
from fupin.funds.checks.runs import resolve_region
from fupin.villages.assessment import assess, percent


class Command(BaseCommand):
    help = ("贫困村出列评估：每个村的农业户籍人口、未脱贫人口、贫困发生率（须低于上限，等于上限不达标）、村集体经济收入、"
            "人均收入增幅和出列指标清单，及结论；--json 时每村一行 JSON（village_code、incidence、limit、indicators、"
            "verdict、reasons……）。")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="评估年度")
        parser.add_argument("--region", default="", help="评估范围的区划代码（默认：账号所在区划，系统身份为全部）")
        parser.add_argument("--poor-only", action="store_true", help="只评估贫困村")
        parser.add_argument("--json", action="store_true", help="每村一行 JSON")
        parser.add_argument("--user", help="以该账号的身份和管辖范围执行；省略时以系统身份执行")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        if not 2000 <= options["year"] <= 2100:
            raise CommandError("年度应在2000至2100之间")
        try:
            region = resolve_region(options["region"], user)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        results = assess(region, options["year"], user=user, poor_only=options["poor_only"])
        for result in results:
            if options["json"]:
                self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            else:
                self.stdout.write("\t".join(str(v) for v in (
                    result.village_code, result.township + result.village, result.rural_population or "—",
                    result.remaining_poor, percent(result.incidence), percent(result.limit),
                    "达到出列标准" if result.passed else "未达标：" + "；".join(result.reasons))))
        passed = sum(r.passed for r in results)
        self.stderr.write(f"{region.name}{options['year']}年贫困村出列评估：共 {len(results)} 个村，达标 {passed} 个，"
                          f"未达标 {len(results) - passed} 个")
