"""Loans within their limits, schedule and subsidy arithmetic, repayments, the overdue check and its risk event, the
risk compensation fund, and who may write."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.credit import parameters, schedule, services
from fupin.credit.choices import FundEntryKind, LoanStatus, Method, RiskCause, Usage
from fupin.credit.models import CreditParameter, FundEntry, Loan, LoanRiskEvent, Repayment, Subsidy
from fupin.monitoring.models import EventKind, RiskEvent, Source

D = Decimal
TODAY = timezone.localdate()


def months_ago(n: int) -> dt.date:
    return schedule.add_months(TODAY, -n)


def refusal(exc) -> dict:
    return {k: " ".join(v) for k, v in exc.value.message_dict.items()}


# --- limits -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fields, field, words", [
    ({"amount": D("60000")}, "amount", "贷款金额60,000.00元超过单户贷款上限50,000.00元"),
    ({"term_months": 48}, "term_months", "贷款期限48个月超过最长期限36个月"),
    ({"annual_rate": D("4.5")}, "annual_rate", "年利率4.5%超过1年期以内贷款利率上限4.35%"),
    ({"annual_rate": D("4.8"), "term_months": 24}, "annual_rate", "超过1年以上贷款利率上限4.75%"),
    ({"purpose": "housing"}, "purpose", "扶贫小额信贷不得用于建房"),
    ({"purpose": "marriage"}, "purpose", "不得用于结婚"),
])
def test_limits_refused_in_chinese_with_their_figure_and_source(make_loan, fields, field, words):
    with pytest.raises(ValidationError) as exc:
        make_loan(**fields)
    message = refusal(exc)[field]
    assert words in message
    assert "docs/domain-facts.md" in message, "the refusal names where the limit comes from"
    assert not Loan.objects.exists()


def test_borrower_age_and_household_eligibility(make_loan, borrower_household, regions):
    old = borrower_household(regions["village_a1"], born=dt.date(1958, 1, 1))
    with pytest.raises(ValidationError) as exc:
        make_loan(household=old, start_date=dt.date(2025, 6, 1))
    assert "借款人放款时67周岁，不在18至65周岁之间" in refusal(exc)["borrower"]
    ordinary = borrower_household(regions["village_a1"], status="", category="", main_cause="")
    with pytest.raises(ValidationError) as exc:
        make_loan(household=ordinary)
    assert "不是建档立卡户（含脱贫户）或监测对象" in refusal(exc)["household"]
    monitored = borrower_household(regions["village_a1"], status="", category="", main_cause="", monitoring_kind="2",
                                   household_type="1")
    assert make_loan(household=monitored).pk


def test_most_specific_region_then_exact_year_wins(make_loan, regions):
    national = CreditParameter.objects.get(region=None, year=None)
    county = CreditParameter.objects.create(**{
        **{f.name: getattr(national, f.name) for f in CreditParameter._meta.concrete_fields
           if f.name not in ("id", "region", "year", "updated")},
        "region": regions["county"], "max_amount": D("100000"), "document": "舞钢市追加贷款文件"})
    assert parameters.resolve("410481100201", 2023) == county
    assert parameters.resolve("410482100201", 2024).subsidy_share == D("0.7"), "the national 2024 row elsewhere"
    assert parameters.resolve("410482100201", 2022).subsidy_share == D("1")
    assert make_loan(amount=D("80000")).amount == D("80000")
    with pytest.raises(ValidationError) as exc:
        make_loan(amount=D("100001"))
    assert "上限100,000.00元（舞钢市各年度小额信贷参数（舞钢市追加贷款文件））" in refusal(exc)["amount"]


# --- schedule and subsidy arithmetic ------------------------------------------------------------------------------

def test_bullet_schedule_pays_interest_quarterly_and_principal_at_maturity():
    items = schedule.build(D("50000"), D("4.35"), dt.date(2024, 1, 31), 12, Method.BULLET, 3)
    assert [i.due_date for i in items] == [dt.date(2024, 4, 30), dt.date(2024, 7, 31), dt.date(2024, 10, 31),
                                          dt.date(2025, 1, 31)]
    assert [i.interest for i in items] == [D("543.75")] * 4  # 50000 × 4.35% ÷ 12 × 3
    assert [i.principal for i in items] == [0, 0, 0, D("50000")]


def test_equal_principal_and_equal_instalment_schedules():
    items = schedule.build(D("10000"), D("3.6"), dt.date(2024, 1, 1), 3, Method.EQUAL_PRINCIPAL, 1)
    assert [i.principal for i in items] == [D("3333.33"), D("3333.33"), D("3333.34")]
    assert [i.interest for i in items] == [D("30.00"), D("20.00"), D("10.00")]  # on 10000, 6666.67, 3333.34
    items = schedule.build(D("12000"), D("12"), dt.date(2024, 1, 1), 12, Method.EQUAL_INSTALMENT, 1)
    assert items[0].interest == D("120.00") and items[0].principal == D("946.19")  # 1066.19 a month
    assert all(i.principal + i.interest == D("1066.19") for i in items[:-1])
    assert sum(i.principal for i in items) == D("12000")
    assert items[-1].principal + items[-1].interest == D("1066.14"), "the last takes the rounding"


def test_term_not_a_multiple_of_the_frequency_ends_with_a_short_period():
    items = schedule.build(D("20000"), D("4.75"), dt.date(2024, 3, 1), 14, Method.BULLET, 6)
    assert [(i.months, i.due_date) for i in items] == [(6, dt.date(2024, 9, 1)), (6, dt.date(2025, 3, 1)),
                                                      (2, dt.date(2025, 5, 1))]
    assert items[-1].interest == D("158.33")  # 20000 × 4.75% ÷ 12 × 2


def test_subsidy_ledger_by_quarter_with_the_year_share_and_lost_when_overdue(make_loan, users):
    loan = make_loan(start_date=dt.date(2023, 1, 15))
    county = users["county"]
    for day, interest in ((dt.date(2023, 4, 15), "543.75"), (dt.date(2023, 8, 1), "543.75"),
                          (dt.date(2023, 10, 15), "543.75"), (dt.date(2024, 1, 15), "543.75")):
        services.record_repayment(Repayment(loan=loan, date=day, interest=D(interest),
                                            principal=D("50000") if day.year == 2024 else 0),
                                  acting_user=county, channel=Channel.PAGE)
    assert services.compute_subsidies(Loan.objects.filter(pk=loan.pk), acting_user=county, channel=Channel.PAGE,
                                      as_of=dt.date(2024, 5, 1)) == 4
    ledger = {s.label: s for s in Subsidy.objects.filter(loan=loan)}
    assert list(ledger) == ["2023年第2季度", "2023年第3季度", "2023年第4季度", "2024年第1季度"]
    assert (ledger["2023年第2季度"].amount, ledger["2023年第2季度"].share) == (D("543.75"), D("1"))
    assert ledger["2023年第3季度"].amount == 0, "the 2nd instalment (due 2023-07-15) was paid late"
    assert ledger["2023年第3季度"].computed == D("543.75")
    assert ledger["2023年第3季度"].lost_reason == "第2期（应还日期2023-07-15）逾期，不予贴息"
    assert ledger["2024年第1季度"].amount == D("380.63")  # 543.75 × 70 %, 2024's share
    assert services.compute_subsidies(Loan.objects.filter(pk=loan.pk), acting_user=county, channel=Channel.PAGE,
                                      as_of=dt.date(2024, 5, 1)) == 0, "recomputing changes nothing"


def test_misused_loan_loses_every_subsidy_and_raises_one_risk_event(make_loan, users):
    loan = make_loan(start_date=dt.date(2023, 1, 15), usage=Usage.ENTERPRISE, enterprise_name="某养殖合作社")
    services.compute_subsidies(Loan.objects.all(), acting_user=users["county"], channel=Channel.PAGE,
                               as_of=dt.date(2024, 5, 1))
    assert set(Subsidy.objects.values_list("lost_reason", flat=True)) == {"户贷企用，不予贴息"}
    assert LoanRiskEvent.objects.filter(loan=loan, cause=RiskCause.MISUSE).count() == 1
    services.save_loan(loan, acting_user=users["county"], channel=Channel.PAGE)
    assert LoanRiskEvent.objects.filter(loan=loan, cause=RiskCause.MISUSE).count() == 1


def test_enterprise_usage_needs_the_enterprise(make_loan):
    with pytest.raises(ValidationError) as exc:
        make_loan(usage=Usage.ENTERPRISE)
    assert "请填写使用企业名称" in refusal(exc)["enterprise_name"]


# --- repayments, overdue and risk events --------------------------------------------------------------------------

def test_overdue_by_date_raises_the_household_risk_event_once(make_loan, users):
    county = users["county"]
    loan = make_loan(start_date=months_ago(7), amount=D("20000"), annual_rate=D("4.35"))
    assert loan.status == LoanStatus.OVERDUE, "registered with the 1st instalment (6 months ago) unpaid"
    first, second = loan.schedule.order_by("sequence")[:2]
    due = services.arrears(loan, TODAY)
    assert (due.since, due.principal, due.interest) == (first.due_date, 0, first.interest + second.interest)
    assert due.days(TODAY) == (TODAY - first.due_date).days
    events = RiskEvent.objects.filter(household=loan.household)
    assert [(e.kind, e.source) for e in events] == [(EventKind.CREDIT, Source.DEPARTMENT)]
    assert "逾期" in events[0].description and loan.contract_number in events[0].description
    assert AuditLog.objects.filter(object_type="riskevent", object_id=str(events[0].pk)).exists()
    counts = services.check_overdue(acting_user=county, channel=Channel.CLI)
    assert counts == {"checked": 1, "overdue": 1, "events": 0}
    assert events.count() == 1
    # Caught up: back to 正常; the list by date agrees on every day.
    services.record_repayment(Repayment(loan=loan, date=TODAY, interest=first.interest + second.interest),
                              acting_user=county, channel=Channel.PAGE)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.NORMAL
    assert not services.overdue(Loan.objects.all(), TODAY).exists()
    assert services.overdue(Loan.objects.all(), schedule.add_months(TODAY, 4)).exists()
    annotated = services.with_arrears(Loan.objects.all(), schedule.add_months(TODAY, 4)).get()
    assert annotated.overdue_since == loan.schedule.get(sequence=3).due_date
    assert annotated.overdue_interest == loan.schedule.get(sequence=3).interest


def test_repayments_settle_the_loan_and_refuse_beyond_the_balance(make_loan, users):
    county = users["county"]
    loan = make_loan(start_date=months_ago(1), amount=D("10000"))
    with pytest.raises(ValidationError) as exc:
        services.record_repayment(Repayment(loan=loan, date=TODAY, principal=D("10000.01")), acting_user=county,
                                  channel=Channel.PAGE)
    assert "归还本金10,000.01元超过贷款余额10,000.00元" in refusal(exc)["principal"]
    with pytest.raises(ValidationError):
        services.record_repayment(Repayment(loan=loan, date=loan.start_date - dt.timedelta(days=1), principal=1),
                                  acting_user=county, channel=Channel.PAGE)
    services.record_repayment(Repayment(loan=loan, date=TODAY, principal=D("10000"), interest=D("36.25")),
                              acting_user=county, channel=Channel.PAGE)
    loan.refresh_from_db()
    assert (loan.status, loan.outstanding, loan.settled_on) == (LoanStatus.SETTLED, 0, TODAY)
    with pytest.raises(ValidationError) as exc:
        services.record_repayment(Repayment(loan=loan, date=TODAY, interest=1), acting_user=county,
                                  channel=Channel.PAGE)
    assert "该贷款已结清" in refusal(exc)["loan"]


def test_extension_moves_the_principal_and_keeps_the_status(make_loan, users):
    loan = make_loan(start_date=months_ago(2), term_months=12)
    loan = services.extend_loan(loan, months=6, acting_user=users["county"], channel=Channel.PAGE)
    assert (loan.status, loan.term_months, loan.maturity_date) == (
        LoanStatus.EXTENDED, 18, schedule.add_months(loan.start_date, 18))
    last = loan.schedule.order_by("-sequence").first()
    assert (last.sequence, last.principal, last.interest) == (5, D("50000"), D("1087.50"))
    with pytest.raises(ValidationError) as exc:
        services.extend_loan(loan, months=24, acting_user=users["county"], channel=Channel.PAGE)
    assert "展期后期限42个月超过最长期限36个月" in refusal(exc)["months"]


# --- scope and rights ---------------------------------------------------------------------------------------------

def test_village_sees_its_loans_finance_reads_and_cannot_write(make_loan, regions, users, finance):
    loan = make_loan()
    other = make_loan(village=regions["village_b1"])
    assert list(Loan.objects.visible_to(users["village_a1"])) == [loan]
    assert set(Loan.objects.visible_to(finance)) == {loan, other}
    with pytest.raises(PermissionDenied, match="只能查看小额信贷"):
        services.save_loan(loan, acting_user=finance, channel=Channel.PAGE)
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.record_repayment(Repayment(loan=other, date=TODAY, interest=1), acting_user=users["village_a1"],
                                  channel=Channel.PAGE)
    with pytest.raises(PermissionDenied):
        make_loan(acting_user=users["leader"])


# --- risk compensation fund ---------------------------------------------------------------------------------------

def test_fund_deposit_compensation_and_balance(make_loan, regions, users):
    county, code = users["county"], regions["county"].code
    loan = make_loan(start_date=months_ago(1), amount=D("30000"))
    services.record_fund_entry(FundEntry(county_id=code, kind=FundEntryKind.DEPOSIT, date=TODAY,
                                         amount=D("20000"), document="县财政拨付"), acting_user=county,
                               channel=Channel.PAGE)
    entry = FundEntry(county_id=code, kind=FundEntryKind.COMPENSATION, date=TODAY, amount=D("25000"), loan=loan,
                      trigger="death")
    with pytest.raises(ValidationError) as exc:
        services.record_fund_entry(entry, acting_user=county, channel=Channel.PAGE)
    assert "风险补偿金余额不足：余额20,000.00元，代偿25,000.00元" in refusal(exc)["amount"]
    entry.amount = D("18000")
    services.record_fund_entry(entry, acting_user=county, channel=Channel.PAGE)
    assert services.fund_balance(code) == D("2000")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.COMPENSATED and entry.bank == loan.bank
    with pytest.raises(PermissionDenied):
        services.record_fund_entry(FundEntry(county_id=code, kind=FundEntryKind.DEPOSIT, date=TODAY, amount=1),
                                   acting_user=users["village_a1"], channel=Channel.PAGE)
