"""The demo's 小额信贷: about thirty loans to registered and monitored households of the demo villages, each
registered on its start date and repaid on its due dates (so schedules and statuses are what the services make
of them), a few left unpaid (overdue, raising the household's risk event), one found used by an enterprise
(户贷企用), the subsidy ledger computed, and the county's risk compensation fund with a deposit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from fupin.audit.models import Channel
from fupin.credit import services
from fupin.credit.choices import Frequency, FundEntryKind, Method, Purpose, Usage
from fupin.credit.models import FundEntry, Loan, Repayment
from fupin.credit.schedule import add_months
from fupin.regions.models import Level
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household

from .workflows import Actors, on

PAGE = Channel.PAGE
LOANS = 30
BANKS = ("舞钢农商银行", "中国邮政储蓄银行", "中国农业银行")
# (amount, term in months, annual rate %, method, frequency, purpose, note)
TERMS = [
    (Decimal("50000"), 36, Decimal("4.75"), Method.BULLET, Frequency.QUARTERLY, Purpose.BREEDING, "养殖肉牛5头"),
    (Decimal("30000"), 12, Decimal("4.35"), Method.BULLET, Frequency.QUARTERLY, Purpose.PLANTING, "种植食用菌"),
    (Decimal("20000"), 24, Decimal("4.75"), Method.EQUAL_PRINCIPAL, Frequency.QUARTERLY, Purpose.TRADE, "开办农家小超市"),
    (Decimal("40000"), 36, Decimal("4.75"), Method.BULLET, Frequency.QUARTERLY, Purpose.BREEDING, "养殖湖羊"),
    (Decimal("10000"), 12, Decimal("4.35"), Method.EQUAL_INSTALMENT, Frequency.MONTHLY, Purpose.PROCESSING, "红薯粉条加工"),
    (Decimal("50000"), 24, Decimal("4.75"), Method.BULLET, Frequency.QUARTERLY, Purpose.TOURISM, "农家乐改造"),
]
OVERDUE_EVERY = 5  # every fifth loan leaves its latest instalment unpaid
MISUSED = 2  # this loan is found pooled to an enterprise
ENTERPRISE = "舞钢市绿源养殖专业合作社"
DEPOSIT = Decimal("1000000")


def _borrower(household, start: dt.date):
    """The head, or the oldest member between 18 and 60 at the start (well inside the age limit)."""
    members = sorted(household.members.filter(active=True), key=lambda m: (m.relation != "01", m.birth_date))
    return next((m for m in members if 18 <= services.age_on(m.birth_date, start) <= 60), None)


def create_loans(actors: list[Actors], today: dt.date) -> int:
    """Loans, repayments, the subsidy ledger and the fund; returns the number of loans."""
    county_user = actors[0].by_level[Level.COUNTY]
    queues = [
        list(Household.objects.filter(village=village.village.region)
             .filter(Q(status__in=HouseholdStatus.REGISTERED) | ~Q(monitoring_kind=""))
             .order_by("-monitoring_kind", "number")[:LOANS])
        for village in actors
    ]
    loans = []
    # Round the villages, one household each, until the sample is full or the candidates run out.
    while len(loans) < LOANS and any(queues):
        for position, queue in enumerate(queues):
            if not queue or len(loans) >= LOANS:
                continue
            household = queue.pop(0)
            index = len(loans)
            amount, term, rate, method, frequency, purpose, note = TERMS[index % len(TERMS)]
            start = add_months(today, -(4 + (index * 5) % 30)) - dt.timedelta(days=index % 20)
            borrower = _borrower(household, start)
            if borrower is None:
                continue
            misused = index == MISUSED
            with on(start):
                loan = services.save_loan(
                    Loan(household=household, borrower=borrower, bank=BANKS[(index + position) % len(BANKS)],
                         contract_number=f"FPXD{start:%Y}{household.village_id[-6:]}{index:03d}", amount=amount,
                         term_months=term, annual_rate=rate, start_date=start, method=method, frequency=frequency,
                         purpose=purpose, purpose_note=note,
                         usage=Usage.ENTERPRISE if misused else Usage.HOUSEHOLD,
                         enterprise_name=ENTERPRISE if misused else ""),
                    acting_user=county_user, channel=PAGE)
            _repay(loan, county_user, leave_last=index % OVERDUE_EVERY == OVERDUE_EVERY - 1, today=today)
            loans.append(loan)
    sample = Loan.objects.filter(pk__in=[loan.pk for loan in loans])
    with on(today):
        services.check_overdue(sample, acting_user=county_user, channel=Channel.SYSTEM)
        services.compute_subsidies(sample, acting_user=county_user, channel=Channel.SYSTEM)
    county = county_user.region_id
    with on(today - dt.timedelta(days=400)):
        services.record_fund_entry(
            FundEntry(county_id=county, kind=FundEntryKind.DEPOSIT, date=today - dt.timedelta(days=400),
                      amount=DEPOSIT, document="县财政局关于拨付扶贫小额信贷风险补偿金的通知（演示）"),
            acting_user=county_user, channel=PAGE)
    return len(loans)


def _repay(loan: Loan, user, *, leave_last: bool, today: dt.date) -> None:
    """Each instalment due before today repaid on its due date (the latest left unpaid when ``leave_last``)."""
    due = [item for item in loan.schedule.order_by("sequence") if item.due_date < today]
    if leave_last and due:
        due = due[:-1]
    for item in due:
        with on(item.due_date):
            services.record_repayment(Repayment(loan=loan, date=item.due_date, principal=item.principal,
                                                interest=item.interest, note="按期还款"),
                                      acting_user=user, channel=PAGE)
