"""The bank's repayment file (还款明细): one row per repayment — the contract number or the borrower's ID number, the
date, the principal and the interest repaid.

The whole file is checked first (columns, the loan each row names within the importing account's scope, dates,
amounts, principal beyond the balance counting the file's earlier rows, a repayment already recorded or twice in the
file); any error and nothing is written. Otherwise every row is written in one transaction with its audit row,
and each loan touched gets its schedule coverage and status brought up to date (raising its risk event if it is
overdue).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction

from fupin.audit.services import record_change
from fupin.core import excel, idnumber
from fupin.jobs.imports import ImportResult

from . import services
from .choices import OPEN_STATUSES
from .models import Loan, Repayment

CONTRACT, ID_NUMBER, DATE, PRINCIPAL, INTEREST, NOTE = "合同编号", "证件号码", "还款日期", "归还本金", "归还利息", "备注"
COLUMNS = (CONTRACT, ID_NUMBER, DATE, PRINCIPAL, INTEREST, NOTE)
REQUIRED = (DATE, PRINCIPAL, INTEREST)
# Other names seen on banks' repayment statements for the same columns.
ALIASES = {
    "借款合同编号": CONTRACT, "借款合同号": CONTRACT, "合同号": CONTRACT, "贷款合同号": CONTRACT,
    "身份证号": ID_NUMBER, "身份证号码": ID_NUMBER, "借款人身份证号": ID_NUMBER, "借款人证件号码": ID_NUMBER,
    "还款日": DATE, "交易日期": DATE, "实还日期": DATE,
    "本金": PRINCIPAL, "还本金额": PRINCIPAL, "实还本金": PRINCIPAL, "归还本金（元）": PRINCIPAL,
    "利息": INTEREST, "还息金额": INTEREST, "实还利息": INTEREST, "归还利息（元）": INTEREST,
}
MAX_ERRORS = 10_000
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(text: str) -> dt.date | None:
    text = text.strip().split(" ")[0]
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_amount(text: str) -> Decimal | None:
    """An amount in 元 with at most 2 decimals ("1,234.50" reads); None if it is not one."""
    cleaned = text.replace(",", "").replace("，", "").replace("元", "").strip() or "0"
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        return None
    return value.quantize(Decimal("0.01"))


def import_repayments(path, *, acting_user, channel, progress: Callable | None = None,
                      filename: str | None = None) -> ImportResult:
    """Check the whole file, then write it all or nothing. ``acting_user`` None is the system (every loan)."""
    progress = progress or (lambda *a, **k: None)
    errors = excel.ErrorList(MAX_ERRORS)
    result = ImportResult("登记还款 {repayments} 笔，涉及贷款 {loans} 笔", {"repayments": 0, "loans": 0})
    try:
        sheet = excel.read(path, filename=filename)
    except excel.SpreadsheetError as exc:
        errors.add(None, "", str(exc))
        return result.refused(errors)
    if acting_user is not None:
        try:
            services.ensure_can_change(acting_user, acting_user.region_id or "")
        except PermissionDenied as exc:
            errors.add(None, "", str(exc))
            return result.refused(errors)
    found, result.ignored_columns = excel.match_columns(sheet.header, dict.fromkeys(COLUMNS), errors,
                                                        sheet.header_row, required=REQUIRED, aliases=ALIASES)
    if CONTRACT not in found and ID_NUMBER not in found:
        errors.add(sheet.header_row, CONTRACT, f"缺少“{CONTRACT}”或“{ID_NUMBER}”列（至少需要其一）")
    if errors.count:
        return result.refused(errors)
    rows = _read(sheet, found, errors, progress)
    loans = _loans(rows, found, acting_user, errors)
    drafts = _check(rows, found, loans, errors)
    if errors.count:
        return result.refused(errors)
    result.counts["repayments"], result.counts["loans"] = _write(drafts, acting_user, channel, progress)
    return result


def _read(sheet, found, errors, progress) -> list[excel.Row]:
    rows = []
    progress(0, sheet.total, "正在校验", force=True)
    for done, row in enumerate(sheet.rows, 1):
        if done % 500 == 0:
            progress(done, sheet.total, f"正在校验第 {row.number} 行")
        rows.append(row)
    return rows


def _loans(rows, found, acting_user, errors) -> dict[str, dict]:
    """The loans the file names, read in two queries: by contract number and by borrower ID number."""
    scope = Loan.objects.all() if acting_user is None else Loan.objects.visible_to(acting_user)
    contracts = {row[found[CONTRACT]] for row in rows if CONTRACT in found and row[found[CONTRACT]]}
    ids = set()
    if ID_NUMBER in found:
        for row in rows:
            if not (CONTRACT in found and row[found[CONTRACT]]) and row[found[ID_NUMBER]]:
                checked = idnumber.check(row.raw(found[ID_NUMBER]))
                if checked.valid:
                    ids.add(checked.normalized)
    by_contract = {loan.contract_number: loan for loan in scope.filter(contract_number__in=contracts)}
    by_id = defaultdict(list)
    for loan in scope.filter(borrower__id_number__in=ids, status__in=OPEN_STATUSES).select_related("borrower"):
        by_id[loan.borrower.id_number].append(loan)
    return {"contract": by_contract, "id": by_id}


def _check(rows, found, loans, errors) -> list[tuple[excel.Row, Repayment]]:
    drafts = []
    pending: dict[int, Decimal] = defaultdict(Decimal)
    seen: dict[tuple, int] = {}
    known = set(Repayment.objects.filter(loan__in=_all_loans(loans)).values_list("loan_id", "date", "principal",
                                                                                  "interest"))
    for row in rows:
        loan = _loan_of(row, found, loans, errors)
        date = parse_date(row[found[DATE]])
        if date is None:
            errors.add(row.number, DATE, f"还款日期“{row[found[DATE]]}”无法识别，请写成 2024-03-21")
        amounts = {}
        for column in (PRINCIPAL, INTEREST):
            amounts[column] = parse_amount(row[found[column]])
            if amounts[column] is None:
                errors.add(row.number, column, f"{column}“{row[found[column]]}”不是金额（元，最多两位小数）")
        if loan is None or date is None or None in amounts.values():
            continue
        principal, interest = amounts[PRINCIPAL], amounts[INTEREST]
        key = (loan.pk, date, principal, interest)
        if key in known:
            errors.add(row.number, DATE, f"合同{loan.contract_number}的这笔还款（{date:%Y-%m-%d}）已经登记过")
            continue
        if key in seen:
            errors.add(row.number, DATE, f"与第{seen[key]}行重复")
            continue
        seen[key] = row.number
        refusals = services.check_repayment(loan, date, principal, interest, pending_principal=pending[loan.pk])
        for field, reason in refusals.items():
            column = {"date": DATE, "principal": PRINCIPAL}.get(field, CONTRACT if CONTRACT in found else ID_NUMBER)
            errors.add(row.number, column, reason)
        if refusals:
            continue
        pending[loan.pk] += principal
        note = row[found[NOTE]][:200] if NOTE in found else ""
        drafts.append((row, Repayment(loan=loan, village_id=loan.village_id, date=date, principal=principal,
                                      interest=interest, note=note or "银行还款明细导入")))
    return drafts


def _all_loans(loans) -> list[int]:
    return [loan.pk for loan in loans["contract"].values()] + [loan.pk for group in loans["id"].values() for loan in group]


def _loan_of(row, found, loans, errors) -> Loan | None:
    contract = row[found[CONTRACT]] if CONTRACT in found else ""
    if contract:
        loan = loans["contract"].get(contract)
        if loan is None:
            errors.add(row.number, CONTRACT, f"未找到合同编号为“{contract}”的贷款（或不在管辖范围内）")
        return loan
    if ID_NUMBER not in found or not row[found[ID_NUMBER]]:
        errors.add(row.number, CONTRACT, f"请填写{CONTRACT}或借款人{ID_NUMBER}")
        return None
    checked = idnumber.check(row.raw(found[ID_NUMBER]))
    if not checked.valid:
        errors.add(row.number, ID_NUMBER, checked.error)
        return None
    candidates = loans["id"].get(checked.normalized, [])
    if not candidates:
        errors.add(row.number, ID_NUMBER, "未找到该借款人未结清的贷款（或不在管辖范围内）")
        return None
    if len(candidates) > 1:
        errors.add(row.number, ID_NUMBER, f"该借款人有{len(candidates)}笔未结清贷款，请填写{CONTRACT}")
        return None
    return candidates[0]


def _write(drafts, acting_user, channel, progress) -> tuple[int, int]:
    touched = {}
    with transaction.atomic():
        progress(0, len(drafts), "正在写入", force=True)
        for done, (_row, repayment) in enumerate(drafts, 1):
            repayment.created_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
            repayment.save()
            record_change(repayment, before=None, acting_user=acting_user, channel=channel, note="银行还款明细导入")
            touched[repayment.loan_id] = repayment.loan
            if done % 200 == 0:
                progress(done, len(drafts), f"正在写入：已写入 {done} 笔")
        for loan in touched.values():
            services.reallocate(loan)
            services.refresh(loan, acting_user=acting_user, channel=channel)
    return len(drafts), len(touched)


TEMPLATE_ROWS = [["HT-示例-001", "", "2024-03-21", "0", "543.75", "按季付息"]]


def write_template(target) -> None:
    excel.write_table(target, "还款明细", [excel.Col(c, excel.TEXT, 18) for c in COLUMNS], TEMPLATE_ROWS)
