import json

from django.core.management.base import BaseCommand

from fupin.comparison import rules


class Command(BaseCommand):
    help = "列出比对规则；--sql 打印规则 SQL，--dialect spark 等打印转换到其他引擎后的 SQL。"

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", metavar="CODE")
        parser.add_argument("--sql", action="store_true", help="打印规则 SQL")
        parser.add_argument("--dialect", default="duckdb", help="SQL 方言：duckdb（默认）、spark、postgres、sqlite …")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出，每条规则一行")

    def handle(self, *args, codes, **options):
        for rule in rules.all_rules():
            if codes and rule.code not in codes:
                continue
            sql = rules.transpile(rule, options["dialect"]) if options["dialect"] != "duckdb" else rule.sql.strip()
            if options["json"]:
                self.stdout.write(json.dumps({"code": rule.code, "name": rule.name, "kind": rule.kind,
                                              "subject": rule.subject, "params": rule.params,
                                              "description": rule.description, "handling": rule.handling,
                                              "sql": sql}, ensure_ascii=False))
                continue
            self.stdout.write(f"{rule.code}\t{rule.name}\t数据：{rule.kind or '仅档案'}\t参数：{rule.params or '—'}")
            if options["sql"] or options["dialect"] != "duckdb":
                self.stdout.write(sql + "\n")
