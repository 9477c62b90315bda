from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fupin.assets import services
from fupin.assets.models import Asset
from fupin.core.channels import Channel
from fupin.core.commands import acting_user, json_dumps


class Command(BaseCommand):
    help = ("资产收益分配：列出某年度每项经营性资产的收益、已分配到户金额和受益户数；加 --apply 对定了平均分配方案的资产"
            "按方案分配（每项资产每年只分配一次，重复运行不会重复分配）。例：fupin assets income --year 2025 --apply")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=timezone.localdate().year - 1, help="收益年度（默认上一年）")
        parser.add_argument("--apply", action="store_true", help="按各资产的分配方案执行分配")
        parser.add_argument("--json", action="store_true", dest="as_json", help="每项资产输出一行 JSON")
        parser.add_argument("--user", help="以该账号的身份和数据权限执行（默认：系统，全部区划）")

    def handle(self, *args, year, apply, as_json, user, **options):
        if not 2000 <= year <= 2100:
            raise CommandError("年度应在2000至2100之间")
        user = acting_user(user)
        assets = Asset.objects.all() if user is None else Asset.objects.visible_to(user)
        assets = assets.filter(kind="1", incomes__year=year).distinct().select_related("region").order_by(
            "region_id", "id")
        rows = []
        for asset in assets:
            try:
                outcome = (services.apply_plan(asset, year, acting_user=user, channel=Channel.CLI) if apply
                           else services.plan_outcome(asset, year))
            except (PermissionDenied, ValidationError) as exc:
                raise CommandError(f"{asset.name}：{'；'.join(getattr(exc, 'messages', [str(exc)]))}") from exc
            income, distributed = services.year_totals(asset, year)
            rows.append({
                "asset": asset.pk, "name": asset.name, "region": asset.region.name, "year": year,
                "income": f"{income:.2f}", "distributed": f"{distributed:.2f}",
                "households": asset.distributions.filter(year=year).count(),
                "plan": asset.get_plan_display(), "applied": outcome.applied and bool(outcome.shares) and apply,
                "note": self._note(outcome, apply),
            })
        if as_json:
            for row in rows:
                self.stdout.write(json_dumps(row))
            return
        self.stdout.write(f"{year}年资产收益分配（{len(rows)}项经营性资产）")
        self.stdout.write(f"{'资产':<20}{'区划':<10}{'收益（元）':>14}{'已分配（元）':>14}{'户数':>6}  说明")
        for row in rows:
            self.stdout.write(f"{row['name'][:20]:<20}{row['region'][:10]:<10}{float(row['income']):>14,.2f}"
                              f"{float(row['distributed']):>14,.2f}{row['households']:>6}  {row['note']}")

    @staticmethod
    def _note(outcome, apply: bool) -> str:
        if outcome.shares:
            verb = "已按方案分配" if apply else "可按方案分配"
            return f"{verb}：{len(outcome.shares)}户，每户{outcome.shares[0].amount}元"
        return outcome.reason

