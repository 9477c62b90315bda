"""fupin stats report --code CODE --year Y [--month M] [--region CODE] FILE.xlsx: a standard report to Excel."""

from django.core.management.base import BaseCommand, CommandError

from fupin.regions.models import Level, Region
from fupin.stats import reports
from fupin.stats.models import ReportTemplate


class Command(BaseCommand):
    help = "按报表模板从汇总数据生成统计报表 Excel（标题、单位、日期、合并表头）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出的 .xlsx 文件")
        parser.add_argument("--code", required=True, help="报表代码，如 TP01")
        parser.add_argument("--year", type=int, required=True, help="年度")
        parser.add_argument("--month", type=int, help="月份（月报）")
        parser.add_argument("--region", help="填报区划代码，省略为第一个县")

    def handle(self, *args, file, code, year, month, region, **options):
        template = ReportTemplate.objects.filter(code=code).first()
        if template is None:
            known = "、".join(ReportTemplate.objects.values_list("code", flat=True))
            raise CommandError(f"没有报表“{code}”（可用：{known}）")
        place = (Region.objects.filter(code=region).first() if region
                 else Region.objects.filter(level=Level.COUNTY).order_by("code").first())
        if place is None:
            raise CommandError(f"区划代码不存在：{region}" if region else "尚未建立行政区划")
        if month is not None and not 1 <= month <= 12:
            raise CommandError("月份应为 1–12")
        filled = reports.fill(template, place, year, month)
        with open(file, "wb") as out:
            reports.write(filled, out)
        self.stdout.write(f"已生成 {reports.filename(filled)}：{len(filled.rows)} 个区划 → {file}")
