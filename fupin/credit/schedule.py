"""The arithmetic of a loan, in Decimal, every amount rounded to 分 (half up): the repayment schedule its terms give,
and the subsidy an instalment's interest earns.

Interest of an instalment = the principal outstanding at its start × the annual rate ÷ 12 × the months it covers
(月利率 = 年利率 ÷ 12). Equal instalments (等额本息) pay A·i / (1 − (1 + i)^−n) each period, i the rate of a period;
the last instalment takes what rounding left of the principal, so the principal always adds up to the amount.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from .choices import Method

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
TWELVE = Decimal(12)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, the month's last day where the month is shorter (31 Jan + 1 = 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Instalment:
    sequence: int
    period_start: dt.date
    due_date: dt.date
    months: int
    outstanding_before: Decimal
    principal: Decimal
    interest: Decimal


def build(amount: Decimal, annual_rate: Decimal, start: dt.date, term_months: int, method: str,
          frequency: int) -> list[Instalment]:
    """The schedule: one instalment every ``frequency`` months from ``start``, the last on maturity (a shorter
    period when the term is not a multiple of the frequency)."""
    spans = []
    done = 0
    while done < term_months:
        step = min(frequency, term_months - done)
        spans.append((done, step))
        done += step
    monthly = Decimal(annual_rate) / HUNDRED / TWELVE
    count = len(spans)
    payment = None
    if method == Method.EQUAL_INSTALMENT:
        with localcontext() as context:
            context.prec = 40
            rate = monthly * frequency
            payment = amount / count if rate == 0 else amount * rate / (1 - (1 + rate) ** -count)
    items, outstanding = [], Decimal(amount)
    for index, (offset, months) in enumerate(spans):
        last = index == count - 1
        interest = cents(outstanding * monthly * months)
        if last:
            principal = outstanding
        elif method == Method.BULLET:
            principal = Decimal("0.00")
        elif method == Method.EQUAL_PRINCIPAL:
            principal = cents(Decimal(amount) / count)
        else:
            principal = cents(payment) - interest
        items.append(Instalment(index + 1, add_months(start, offset), add_months(start, offset + months), months,
                                outstanding, principal, interest))
        outstanding -= principal
    return items


def instalment_subsidy(outstanding_before: Decimal, months: int, *, loan_rate: Decimal, rate_cap: Decimal,
                       principal_cap: Decimal, share: Decimal) -> tuple[Decimal, Decimal]:
    """(subsidised rate, subsidy) of one instalment: the interest on the outstanding principal up to the subsidised
    principal cap, at the loan's rate but no more than the cap, times the subsidy share."""
    rate = min(Decimal(loan_rate), Decimal(rate_cap))
    base = min(Decimal(outstanding_before), Decimal(principal_cap))
    return rate, cents(base * rate / HUNDRED / TWELVE * months * Decimal(share))
