import json

from django.core.management.base import BaseCommand

from fupin.monitoring import explain
from fupin.monitoring.models import OPEN_ALERT_STATUSES, Alert

from ._common import acting_user, region_or_root


class Command(BaseCommand):
    help = "列出未办结的预警：每条一行（--json 时每条一个 JSON 对象，含户编号、村代码、触发规则、触发数据、严重程度和中文预警原因）。"

    def add_arguments(self, parser):
        parser.add_argument("--region", help="只列该区划（代码）下的预警")
        parser.add_argument("--user", help="按该账号的数据权限列出")
        parser.add_argument("--json", action="store_true", help="每条预警输出一个 JSON 对象")

    def handle(self, *args, **options):
        alerts = Alert.objects.filter(status__in=OPEN_ALERT_STATUSES)
        user = acting_user(options["user"])
        if user is not None:
            alerts = alerts.visible_to(user)
        if options["region"]:
            alerts = alerts.filter(village__code__startswith=region_or_root(options["region"]).prefix)
        alerts = alerts.select_related("household").order_by("village_id", "household__number")
        for alert in alerts.iterator(chunk_size=2000):
            row = {
                "alert": alert.pk, "household_number": alert.household.number, "village_code": alert.village_id,
                "year": alert.year, "source": alert.source, "status": alert.status, "rules": alert.rule_codes,
                "figures": alert.figures, "severity": alert.severity, "firing": alert.firing,
                "due": alert.due.isoformat() if alert.due else None,
                "severity_label": alert.get_severity_display(), "reason": explain.text(alert.figures),
            }
            if options["json"]:
                self.stdout.write(json.dumps(row, ensure_ascii=False))
            else:
                self.stdout.write(
                    f"{alert.household.number}\t{alert.village_id}\t{alert.get_status_display()}\t"
                    f"{','.join(alert.rule_codes) or alert.get_source_display()}\t{alert.get_severity_display()}\t"
                    f"{row['reason']}"
                )
