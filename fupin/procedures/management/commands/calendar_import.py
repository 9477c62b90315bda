import json

from django.core.management.base import CommandError

from fupin.core.channels import Channel
from fupin.procedures import workdays
from fupin.regions.models import Region

from ._common import ProcedureCommand


class Command(ProcedureCommand):
    help = ("导入一年的节假日安排（Excel或CSV，列：日期、类别（放假/调休上班）、名称，可选“文件依据”），替换该年度该区划"
            "原有的安排。例：fupin calendar import 2027.xlsx --year 2027 --user admin")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="Excel（.xlsx/.xls）或 CSV 文件")
        parser.add_argument("--year", type=int, required=True, help="年度")
        parser.add_argument("--region", help="省、市或县区划代码（默认：全国安排）")
        parser.add_argument("--document", default="", help="文件依据（文件中没有该列时各行都记为此依据）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def act(self, user, options):
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"区划代码“{options['region']}”不存在")
        result = workdays.import_year(options["file"], options["year"], region=region, document=options["document"],
                                      acting_user=user, channel=Channel.CLI)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"已导入{result['year']}年安排{result['imported']}天（放假{result['holidays']}天、调休上班"
                              f"{result['workdays']}天），替换原有{result['replaced']}天")
