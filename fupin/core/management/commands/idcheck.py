import json

from django.core.management.base import BaseCommand

from fupin.core import idnumber


class Command(BaseCommand):
    help = "校验并规范化身份证号码：每个输入打印一个 JSON 对象（--json 时打印一个 JSON 数组）。"

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="+", metavar="ID")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 数组输出")

    def handle(self, *args, ids, **options):
        results = [idnumber.check(raw).as_dict() for raw in ids]
        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False))
        else:
            for result in results:
                self.stdout.write(json.dumps(result, ensure_ascii=False))
