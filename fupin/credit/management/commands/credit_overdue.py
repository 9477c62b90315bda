from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fupin.core import idnumber
from fupin.core.channels import Channel
from fupin.core.commands import acting_user, json_dumps
from fupin.core.exports import record_export
from fupin.credit.jobs import overdue_export, overdue_rows
from fupin.credit.schedule import cents


class Command(BaseCommand):
    help = ("列出逾期贷款（按还款计划，有应还未还的期次）；--json 时每笔一行 JSON。借款人证件号码默认脱敏，"
            "--full-ids 输出完整号码并记入操作日志。")

    def add_arguments(self, parser):
        parser.add_argument("--user", help="按该用户的管辖范围列出；省略时列出全部")
        parser.add_argument("--region", default="", help="只列出该区划（代码）内的贷款")
        parser.add_argument("--bank", default="", help="放贷银行（包含该文字）")
        parser.add_argument("--json", action="store_true", help="每笔贷款一行 JSON")
        parser.add_argument("--full-ids", action="store_true", help="输出完整证件号码（记入操作日志）")

    def handle(self, *args, user, region, bank, full_ids, **options):
        user = acting_user(user)
        params = {k: v for k, v in {"region": region, "bank": bank}.items() if v}
        try:
            overdue_export.check(user, params, full=full_ids)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        today = timezone.localdate()
        count = 0
        for loan in overdue_rows(user, params).order_by("overdue_since", "village_id", "id").iterator(2000):
            id_number = loan.borrower.id_number
            row = {
                "contract_number": loan.contract_number, "bank": loan.bank, "household_number": loan.household.number,
                "village_code": loan.village_id, "borrower_name": loan.borrower.name,
                "borrower_id_number": id_number if full_ids else idnumber.mask(id_number),
                "amount": str(loan.amount), "outstanding": str(loan.outstanding),
                "overdue_principal": str(cents(loan.overdue_principal)),
                "overdue_interest": str(cents(loan.overdue_interest)),
                "due_date": loan.overdue_since.isoformat(), "days_overdue": (today - loan.overdue_since).days,
                "status": loan.status,
            }
            count += 1
            if options["json"]:
                self.stdout.write(json_dumps(row))
            else:
                self.stdout.write("\t".join(str(row[k]) for k in (
                    "contract_number", "bank", "household_number", "borrower_name", "borrower_id_number",
                    "overdue_principal", "days_overdue", "due_date")))
        record_export(user, overdue_export, count, full=full_ids, channel=Channel.CLI, params=params)
