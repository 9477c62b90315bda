"""fupin funds check [--year Y] [--region CODE] [--rule CODE …] [--dry-run] [--json]: run the fund anomaly checks."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.core.channels import Channel
from fupin.core.commands import acting_user
from fupin.funds.checks import explain
from fupin.funds.checks.access import can_run
from fupin.funds.checks.runs import evaluate, resolve_region, resolve_year, start_check
from fupin.funds.models import Anomaly, RunStatus


def _line(rule, rule_name, subject, region, id_number, payee_name, amount, figures, status) -> dict:
    """One anomaly as the command prints it: ``rule``, ``id_number``, ``amount`` and ``figures`` are the interface."""
    return {"rule": rule, "rule_name": rule_name, "subject": subject, "region": region, "id_number": id_number,
            "payee_name": payee_name, "amount": None if amount is None else round(float(amount), 2),
            "figures": figures, "summary": explain.text(figures), "status": status}


class Command(BaseCommand):
    help = ("检查扶贫资金异常（向非在册人员、已死亡人员、财政供养人员拨付，重复拨付，超分配拨付，资金闲置，支出进度滞后，"
            "及管理员自定义规则）：记录异常（再次检查时更新、消除），--json 时每条异常输出一行 JSON"
            "（rule 规则代码、id_number 证件号码、amount 金额、figures 判定依据……）。")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="资金年度（默认本年）")
        parser.add_argument("--region", default="", help="检查范围的区划代码（默认：账号所在区划，系统身份为全部）")
        parser.add_argument("--rule", action="append", default=[], help="只执行该规则（规则代码，可重复）")
        parser.add_argument("--dry-run", action="store_true", help="只列出异常，不记录（不改变已有异常）")
        parser.add_argument("--json", action="store_true", help="每条异常一行 JSON")
        parser.add_argument("--user", help="以该账号的身份和管辖范围执行；省略时以系统身份执行")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        try:
            if options["dry_run"]:
                lines, summary = self._dry_run(user, options)
            else:
                lines, summary = self._run(user, options)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        for line in lines:
            if options["json"]:
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            else:
                self.stdout.write("\t".join(str(line[k] or "") for k in (
                    "rule_name", "region", "payee_name", "id_number", "amount", "summary")))
        self.stderr.write(summary)

    def _run(self, user, options):
        run = start_check(year=options["year"], region_code=options["region"], acting_user=user,
                          channel=Channel.CLI, rules=options["rule"] or None, run_now=True)
        if run.status != RunStatus.DONE:
            raise CommandError(f"检查失败：{'；'.join(map(str, run.warnings)) or (run.job.message if run.job else '')}")
        anomalies = (Anomaly.objects.filter(run=run).select_related("rule").order_by("rule__code", "subject_key")
                     .values_list("rule__code", "rule__name", "subject_key", "region_id", "id_number", "payee_name",
                                  "amount", "figures", "status"))
        lines = [_line(*row) for row in anomalies.iterator(2000)]
        warnings = "".join(f"\n{w}" for w in run.warnings)
        return lines, (f"{run.year}年资金异常检查 #{run.pk}：扫描拨付 {run.scanned} 笔，发现异常 {len(lines)} 条，"
                       f"新增 {run.opened}，消除 {run.closed}{warnings}")

    def _dry_run(self, user, options):

        if not can_run(user):
            raise PermissionDenied("当前账号没有发起资金异常检查的权限")
        year = resolve_year(options["year"])
        hits, rules, counts, warnings = evaluate(year, resolve_region(options["region"], user), options["rule"] or None)
        lines = [_line(row["rule"], rules[row["rule"]].name, row["subject_key"], row["region_code"], row["id_number"],
                       row["payee_name"], row["amount"], json.loads(row["figures"]), "")
                 for row in hits.iter_rows(named=True)]
        extra = "".join(f"\n{w}" for w in warnings)
        return lines, f"{year}年资金异常检查（未记录）：扫描拨付 {counts['disbursements']} 笔，发现异常 {len(lines)} 条{extra}"
