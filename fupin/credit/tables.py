"""小额信贷 list columns, shared by the pages' Excel exports (borrower ID numbers masked unless a full export)."""

from django.utils import timezone

from fupin.core.tables import DATE, NUMBER, Column, Table
from fupin.regions.models import Level

from .choices import FundEntryKind, LoanStatus, Method, Purpose, Usage
from .models import FundEntry, Loan, ScheduleItem, Subsidy


def days_since(day) -> int | None:
    return (timezone.localdate() - day).days if day else None


REGION_COLUMNS = [
    Column("乡镇", "village_id", region_level=Level.TOWNSHIP, width=14),
    Column("村", "village_id", region_level=Level.VILLAGE, width=14),
    Column("村代码", "village_id", width=15),
]
LOAN_COLUMNS = [
    Column("合同编号", "contract_number", width=18),
    Column("放贷银行", "bank", width=16),
    *REGION_COLUMNS,
    Column("户编号", "household__number", width=20),
    Column("户主", "household__head_name"),
    Column("借款人", "borrower__name"),
    Column("借款人证件号码", "borrower__id_number", sensitive=True, width=22),
    Column("贷款金额（元）", "amount", NUMBER),
    Column("期限（月）", "term_months", NUMBER),
    Column("年利率（%）", "annual_rate", NUMBER),
    Column("放款日期", "start_date", DATE),
    Column("到期日期", "maturity_date", DATE),
    Column("还款方式", "method", choices=dict(Method.choices), width=18),
    Column("贷款用途", "purpose", choices=dict(Purpose.choices)),
    Column("使用方式", "usage", choices=dict(Usage.choices)),
    Column("使用企业", "enterprise_name", width=20),
    Column("状态", "status", choices=dict(LoanStatus.choices)),
    Column("贷款余额（元）", "outstanding", NUMBER),
]

loans = Table(title="小额信贷", model=Loan, columns=LOAN_COLUMNS, order_by=("village_id", "household__number", "id"))

overdue = Table(
    title="逾期贷款",
    model=Loan,
    columns=[
        *LOAN_COLUMNS,
        Column("逾期本金（元）", "overdue_principal", NUMBER),
        Column("逾期利息（元）", "overdue_interest", NUMBER),
        Column("最早逾期应还日期", "overdue_since", DATE),
        Column("逾期天数", "overdue_since", NUMBER, transform=days_since),
    ],
    order_by=("overdue_since", "village_id", "id"),
)

due_soon = Table(
    title="临期还款",
    model=ScheduleItem,
    columns=[
        Column("应还日期", "due_date", DATE),
        Column("期次", "sequence", NUMBER),
        Column("合同编号", "loan__contract_number", width=18),
        Column("放贷银行", "loan__bank", width=16),
        *[c.prefixed("loan__") for c in REGION_COLUMNS],
        Column("户编号", "loan__household__number", width=20),
        Column("借款人", "loan__borrower__name"),
        Column("借款人证件号码", "loan__borrower__id_number", sensitive=True, width=22),
        Column("应还本金（元）", "principal", NUMBER),
        Column("应还利息（元）", "interest", NUMBER),
        Column("已还本金（元）", "paid_principal", NUMBER),
        Column("已还利息（元）", "paid_interest", NUMBER),
    ],
    order_by=("due_date", "loan__village_id", "id"),
)

subsidies = Table(
    title="贴息台账",
    model=Subsidy,
    columns=[
        Column("贴息期", "label", width=16),
        Column("贴息期起", "period_start", DATE),
        Column("贴息期止", "period_end", DATE),
        Column("合同编号", "loan__contract_number", width=18),
        Column("放贷银行", "loan__bank", width=16),
        *REGION_COLUMNS,
        Column("户编号", "loan__household__number", width=20),
        Column("借款人", "loan__borrower__name"),
        Column("应付利息（元）", "interest", NUMBER),
        Column("贴息利率（%）", "subsidised_rate", NUMBER),
        Column("贴息比例", "share", NUMBER),
        Column("应贴息（元）", "computed", NUMBER),
        Column("实贴息（元）", "amount", NUMBER),
        Column("不予贴息原因", "lost_reason", width=36),
    ],
    order_by=("period_start", "village_id", "loan__contract_number"),
)

fund = Table(
    title="风险补偿金",
    model=FundEntry,
    columns=[
        Column("日期", "date", DATE),
        Column("县（市、区）", "county__name", width=14),
        Column("类型", "kind", choices=dict(FundEntryKind.choices)),
        Column("金额（元）", "amount", NUMBER),
        Column("代偿贷款合同编号", "loan__contract_number", width=18),
        Column("银行", "bank", width=16),
        Column("代偿情形", "trigger", width=24),
        Column("依据文件或凭证", "document", width=30),
        Column("说明", "note", width=30),
    ],
    order_by=("date", "id"),
)
