"""fupin teams check: the completeness of each checked village's 驻村工作队 (one JSON object a line with --json)."""

import json

from django.core.management.base import BaseCommand, CommandError

from fupin.assistance import teams
from fupin.regions.models import region_prefix


class Command(BaseCommand):
    help = "检查贫困村（脱贫村）及有驻村工作队的村的工作队配备：在岗人数、第一书记、任期"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="只检查该区划（12位代码）下的村")
        parser.add_argument("--json", action="store_true", dest="as_json", help="每村输出一行 JSON")
        parser.add_argument("--problems", action="store_true", help="只输出配备不完整的村")

    def handle(self, *args, region, as_json, problems, **options):
        if region and not (region.isdigit() and len(region) == 12):
            raise CommandError("区划代码应为12位数字")
        checks = teams.check_villages(teams.villages_to_check(region_prefix(region)))
        if problems:
            checks = [c for c in checks if not c.ok]
        for check in checks:
            if as_json:
                self.stdout.write(json.dumps(check.as_dict(), ensure_ascii=False))
            else:
                state = "完整" if check.ok else "；".join(check.problems)
                self.stdout.write(f"{check.village_code} {check.village_name}：在岗{check.members}人"
                                  f"（不少于{check.minimum}人），第一书记{check.first_secretary or '无'}，{state}")
        if not as_json:
            flagged = sum(1 for c in checks if not c.ok)
            self.stdout.write(f"共检查{len(checks)}个村，配备不完整{flagged}个")
