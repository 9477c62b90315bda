"""Pages (scope, refusals, pinned query counts), the household panel, exports, the bank file import
(errors and atomicity) and the CLI."""

import io
import json
from decimal import Decimal

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from fupin.audit.models import Action, AuditLog
from fupin.core import excel, idnumber
from fupin.core.channels import Channel
from fupin.credit import imports, schedule
from fupin.credit.choices import LoanStatus
from fupin.credit.models import Loan, Repayment
from fupin.jobs.models import Job, Status

D = Decimal


def client_for(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def months_ago(n):
    return schedule.add_months(timezone.localdate(), -n)


def test_loan_list_is_scoped_and_its_queries_pinned(client, make_loan, regions, users, django_assert_num_queries):
    for _ in range(3):
        make_loan(start_date=months_ago(1))
    make_loan(village=regions["village_b1"])
    client_for(client, users["county"])
    client.get(reverse("credit:loan_list"))
    with django_assert_num_queries(8):  # session, user, region, count, page, session save (3)
        response = client.get(reverse("credit:loan_list"))
    assert response.content.decode().count('data-testid="loan-link"') == 4
    client_for(client, users["village_a1"])
    response = client.get(reverse("credit:loan_list"), {"overdue": "on"})
    assert response.content.decode().count('data-testid="loan-link"') == 0
    response = client.get(reverse("credit:loan_list"))
    assert response.content.decode().count('data-testid="loan-link"') == 3


def test_detail_out_of_scope_is_404_and_finance_reads_without_writing(client, make_loan, regions, users, finance):
    loan = make_loan(village=regions["village_b1"])
    assert client_for(client, users["village_a1"]).get(reverse("credit:loan_detail", args=[loan.pk])).status_code == 404
    client_for(client, finance)
    page = client.get(reverse("credit:loan_detail", args=[loan.pk])).content.decode()
    assert 'data-testid="schedule-table"' in page and 'data-testid="repay-form"' not in page
    assert 'data-testid="new-loan"' not in client.get(reverse("credit:loan_list")).content.decode()
    response = client.post(reverse("credit:loan_detail", args=[loan.pk]),
                           {"action": "repay", "repay-date": "2026-11-01", "repay-principal": "0",
                            "repay-interest": "10"})
    assert response.status_code == 403
    assert not Repayment.objects.exists()
    assert client.get(reverse("credit:repayment_import")).status_code == 403
    assert client_for(client, users["department"]).get(reverse("credit:loan_list")).status_code == 403


def test_loan_form_refuses_in_chinese_then_saves(client, borrower_household, regions, users):
    household = borrower_household(regions["village_a1"])
    client_for(client, users["village_a1"])
    url = reverse("credit:loan_create") + f"?household={household.pk}"
    form = {"borrower": household.members.get().pk, "bank": "县农商银行", "contract_number": "NS-2026-001",
            "amount": "60000", "term_months": "12", "annual_rate": "4.35", "start_date": "2026-03-01",
            "method": "bullet", "frequency": "3", "purpose": "breeding", "usage": "household"}
    response = client.post(url, form)
    assert "超过单户贷款上限50,000.00元" in response.content.decode()
    response = client.post(url, {**form, "amount": "30000"})
    loan = Loan.objects.get()
    assert response.status_code == 302 and loan.schedule.count() == 4
    page = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert 'data-testid="credit-panel"' in page and "NS-2026-001" in page


def test_overdue_list_and_export(client, tmp_path, make_loan, users, django_assert_num_queries):
    late = make_loan(start_date=months_ago(7), contract_number="LATE-1")
    make_loan(start_date=months_ago(1))
    client_for(client, users["county"])
    client.get(reverse("credit:overdue_list"))
    with django_assert_num_queries(9):  # session, user, region, totals, count, page, session save (3)
        page = client.get(reverse("credit:overdue_list")).content.decode()
    assert "LATE-1" in page and page.count('data-testid="loan-link"') == 1
    response = client.get(reverse("credit:overdue_export"), {"full": "0"})
    path = tmp_path / "overdue.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = list(excel.read(path).rows)
    assert [r[0] for r in rows] == ["LATE-1"]
    assert late.household.number in client.get(reverse("credit:due_soon_list"), {"days": "366"}).content.decode()


def _csv(tmp_path, rows, header=("合同编号", "还款日期", "归还本金", "归还利息")):
    path = tmp_path / "还款.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]), encoding="utf-8")
    return path


def test_import_checks_the_whole_file_and_writes_nothing_on_error(tmp_path, make_loan, users, regions):
    loan = make_loan(start_date=months_ago(7), contract_number="HT-A", amount=D("10000"))
    other = make_loan(village=regions["village_b1"], contract_number="HT-B")
    path = _csv(tmp_path, [["HT-A", "2026-11-02", "0", "108.75"], ["HT-X", "2026-11-02", "0", "1"],
                           ["HT-A", "2026/13/01", "abc", "0"], ["HT-A", "2026-11-03", "10000.01", "0"],
                           ["HT-B", "2026-11-02", "0", "1"]])
    result = imports.import_repayments(path, acting_user=users["village_a1"], channel=Channel.IMPORT)
    errors = {(e.row, e.column): e.reason for e in result.errors}
    assert errors == {
        (3, "合同编号"): "未找到合同编号为“HT-X”的贷款（或不在管辖范围内）",
        (4, "还款日期"): "还款日期“2026/13/01”无法识别，请写成 2024-03-21",
        (4, "归还本金"): "归还本金“abc”不是金额（元，最多两位小数）",
        (5, "归还本金"): "归还本金10,000.01元超过贷款余额10,000.00元",
        (6, "合同编号"): "未找到合同编号为“HT-B”的贷款（或不在管辖范围内）",
    }
    assert not Repayment.objects.exists()
    good = _csv(tmp_path, [["HT-A", "2026-11-02", "0", "108.75"], ["HT-A", "2026-11-03", "10000", "108.75"]])
    result = imports.import_repayments(good, acting_user=users["village_a1"], channel=Channel.IMPORT)
    assert result.ok and result.counts == {"repayments": 2, "loans": 1}
    loan.refresh_from_db()
    assert (loan.status, loan.outstanding) == (LoanStatus.SETTLED, 0)
    assert AuditLog.objects.filter(object_type="repayment", channel=Channel.IMPORT).count() == 2
    again = imports.import_repayments(good, acting_user=users["village_a1"], channel=Channel.IMPORT)
    assert "已经登记过" in again.errors[0].reason
    assert other.repayments.count() == 0


def test_import_by_id_number_through_the_job_page(client, tmp_path, make_loan, users,
                                                 django_capture_on_commit_callbacks):
    loan = make_loan(start_date=months_ago(2), contract_number="HT-ID")
    path = _csv(tmp_path, [[loan.borrower.id_number, "2026-11-02", "100", "20"]],
                header=("身份证号", "还款日", "本金", "利息"))
    client_for(client, users["county"])
    with open(path, "rb") as fh, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("credit:repayment_import"), {"file": fh})
    job = Job.objects.exclude(kind="stats.rebuild").get()  # the statistics rebuild follows the batch
    assert response.status_code == 302 and job.status == Status.SUCCEEDED, job.message
    assert job.result["repayments"] == 1
    assert Repayment.objects.get().principal == D("100")


def test_cli_overdue_json_one_object_per_loan(make_loan, users, capsys):
    late = make_loan(start_date=months_ago(7), contract_number="CLI-1", amount=D("20000"))
    make_loan(start_date=months_ago(1))
    out = io.StringIO()
    call_command("credit_overdue", "--json", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    first = late.schedule.order_by("sequence").first()
    assert rows == [{
        "contract_number": "CLI-1", "bank": "县农商银行", "household_number": late.household.number,
        "village_code": late.village_id, "borrower_name": late.borrower.name,
        "borrower_id_number": idnumber.mask(late.borrower.id_number),
        "amount": "20000.00", "outstanding": "20000.00", "overdue_principal": "0.00",
        "overdue_interest": str(sum(i.interest for i in late.schedule.all() if i.due_date < timezone.localdate())),
        "due_date": first.due_date.isoformat(), "days_overdue": (timezone.localdate() - first.due_date).days,
        "status": "overdue",
    }]
    out = io.StringIO()
    call_command("credit_overdue", "--json", "--full-ids", stdout=out)
    assert json.loads(out.getvalue())["borrower_id_number"] == late.borrower.id_number
    assert AuditLog.objects.filter(action=Action.EXPORT).count() == 2


def test_cli_repayments_and_check(tmp_path, make_loan, users):
    loan = make_loan(start_date=months_ago(7), contract_number="CLI-R")
    due = sum(i.interest for i in loan.schedule.all() if i.due_date < timezone.localdate())
    good = _csv(tmp_path, [["CLI-R", str(timezone.localdate()), "0", str(due)]])
    out = io.StringIO()
    call_command("credit_repayments", str(good), "--json", stdout=out)
    assert json.loads(out.getvalue())["repayments"] == 1
    out = io.StringIO()
    call_command("credit_check", "--json", stdout=out)
    counts = json.loads(out.getvalue())
    assert (counts["checked"], counts["overdue"], counts["events"]) == (1, 0, 0) and counts["subsidies"] >= 1
    loan.refresh_from_db()
    assert loan.status == LoanStatus.NORMAL and loan.risk_links.count() == 1, "raised once when it was overdue"
