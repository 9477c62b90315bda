"""fupin whatif run --scenario ID [--user NAME] [--json]: run a scenario now and print its result."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.core.channels import Channel
from fupin.core.commands import acting_user
from fupin.whatif import services
from fupin.whatif.models import Scenario, ScenarioStatus


def scenario_for(user, scenario_id) -> Scenario:
    scenarios = Scenario.objects.all() if user is None else Scenario.objects.visible_to(user)
    scenario = scenarios.select_related("county").filter(pk=scenario_id).first()
    if scenario is None:
        raise CommandError(f"模拟方案 {scenario_id} 不存在或不在当前账号的管辖范围内")
    return scenario


class Command(BaseCommand):
    help = ("运行政策模拟方案：在数据快照上按现行与模拟配置测算各乡镇纳入、移出监测和符合、不再符合脱贫条件的户数"
            "及新增支出，保存结果；--json 输出各乡镇结果与支出测算（JSON）。")

    def add_arguments(self, parser):
        parser.add_argument("--scenario", type=int, required=True, help="模拟方案编号")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
        parser.add_argument("--user", help="以该县级账号的身份执行；省略时以系统身份执行")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        scenario = scenario_for(user, options["scenario"])
        try:
            scenario = services.start_run(scenario, acting_user=user, channel=Channel.CLI, run_now=True)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        if scenario.status != ScenarioStatus.DONE:
            raise CommandError(f"模拟运行失败：{scenario.job.message if scenario.job else ''}")
        if options["json"]:
            result = scenario.result
            self.stdout.write(json.dumps({
                "scenario": scenario.pk, "name": scenario.name, "county": scenario.county_id, "year": scenario.year,
                "townships": result["townships"], "totals": result["totals"], "costs": result["costs"],
                "cost_total": result["cost_total"], "lines": result["lines"], "warnings": result["warnings"],
            }, ensure_ascii=False))
        else:
            for row in scenario.result["townships"]:
                self.stdout.write("\t".join(str(row[k]) for k in (
                    "name", "enter", "leave", "exit_pass", "exit_fail", "dibao_households", "dibao_cost")))
        self.stderr.write(f"{scenario}：{services.summary_text(scenario)}")
