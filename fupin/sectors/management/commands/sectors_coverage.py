import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fupin.core import idnumber
from fupin.core.channels import Channel
from fupin.core.commands import acting_user
from fupin.monitoring.engine import ConditionError
from fupin.regions.models import Region
from fupin.sectors import board
from fupin.sectors.choices import GapStatus


class Command(BaseCommand):
    help = "运行应享未享排查（各行业规则），打印每条规则的未享人数；--json 时每条应享未享一个对象。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年度（默认今年）")
        parser.add_argument("--region", help="区划代码（默认全部）")
        parser.add_argument("--user", help="以该账号身份运行（按其数据权限）；默认以系统身份运行")
        parser.add_argument("--json", action="store_true",
                            help="以 JSON 输出：规则代码、村代码、户编号、证件号码（脱敏）、依据")

    def handle(self, *args, **options):
        year = options["year"] or timezone.localdate().year
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"区划代码 {options['region']} 不存在")
        user = acting_user(options["user"])
        try:
            run = board.run(region, year, acting_user=user, channel=Channel.CLI)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except (ValidationError, ConditionError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
        gaps = board.gaps_visible_to(user).filter(year=year, status=GapStatus.OPEN)
        if region is not None:
            gaps = gaps.in_region(region.prefix)
        if options["json"]:
            rows = gaps.order_by("village_code", "household_number", "rule").values_list(
                "rule", "village_code", "household_number", "id_number", "figures")
            self.stdout.write(json.dumps([
                {"rule": rule, "village_code": village, "household_number": number,
                 "member_id_number": idnumber.mask(id_number), "figures": figures}
                for rule, village, number, id_number, figures in rows.iterator()], ensure_ascii=False))
            return
        names = board.rule_names()
        summary = run.summary
        self.stdout.write(f"{year}年应享未享排查：未享 {summary['open']} 条，新发现 {summary['new']} 条，"
                          f"已补齐 {summary['closed']} 条")
        for code, count in summary["rules"].items():
            self.stdout.write(f"  {names.get(code, code)}（{code}）：{count}")
