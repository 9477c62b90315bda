"""扶贫手册 / 一户一档 (docs/domain-facts.md §6): one household's printable A4 manual, rendered from the register at
the moment it is asked for, so the paper never disagrees with the system.

Content: cover, 家庭情况, 家庭成员, 收支测算 against the year's poverty line and monitoring threshold, 两不愁三保障
及饮水安全, 帮扶责任人 and the village's 驻村工作队, 户脱贫措施及项目规划 (measures by kind), 帮扶记录 (visits), then
the sections the apps above assistance register in ``panels.MANUAL_SECTIONS``.

ID numbers, bank account and phone are masked — a printed manual is kept at the household. Staff who may export
full ID numbers of the register (``registry.services.ensure_can_write`` in the household's village, as
``registry.jobs.may_export_full``) may print a full copy; per-person health is printed only then (as the member
export's ``full_only`` column). Every print is an export in the audit log.

The household file (一户一档 page) shows the same pieces through ``templatetags/manual_tags.py``: each piece is one
template under ``assistance/manual/`` that serves both the page and the PDF.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import timezone

from fupin.audit.services import record_export
from fupin.core import pdf
from fupin.core.idnumber import mask
from fupin.core.tables import mask_phone
from fupin.procedures import lines
from fupin.procedures.models import LineKind
from fupin.regions.models import Level, Region
from fupin.registry.models import Household
from fupin.registry.services import ensure_can_write
from fupin.registry.views import code_labels

from .models import Measure, MeasureKind, Pairing, Visit, WorkTeam
from .panels import MANUAL_SECTIONS

TITLE = "扶贫手册"
# The income accounting table shows this many years, newest first.
INCOME_YEARS = 5


def may_print_full(user, village_code: str) -> bool:
    """Full ID numbers for the staff who may export them for this village."""
    if user is None:  # the system (CLI without --user)
        return True
    try:
        ensure_can_write(user, village_code)
    except PermissionDenied:
        return False
    return True


def ensure_may_print_full(user, village_code: str) -> None:
    if not may_print_full(user, village_code):
        raise PermissionDenied("当前账号不能打印含完整证件号码的扶贫手册")


@dataclass
class IncomeYear:
    """One year of 收支测算 with the lines it is read against."""

    account: object
    poverty_line: lines.Line | None
    monitoring_line: lines.Line | None

    @property
    def gross(self):
        a = self.account
        return a.wage_income + a.business_income + a.property_income + a.transfer_income

    @property
    def above_poverty(self) -> bool | None:
        return None if self.poverty_line is None else self.account.per_capita_net_income > self.poverty_line.amount

    @property
    def above_monitoring(self) -> bool | None:
        if self.monitoring_line is None:
            return None
        return self.account.per_capita_net_income > self.monitoring_line.amount


def income_years(household: Household) -> list[IncomeYear]:
    accounts = list(household.income_accounts.order_by("-year")[:INCOME_YEARS])
    return [IncomeYear(a, lines.resolve(LineKind.POVERTY, a.year, household.village_id),
                       lines.resolve(LineKind.MONITORING, a.year, household.village_id)) for a in accounts]


def measures_by_kind(household: Household) -> list[dict]:
    """户脱贫措施及项目规划表: the household's measures grouped by kind, in the kinds' order."""
    order = {kind: i for i, kind in enumerate(MeasureKind.values)}
    measures = sorted(Measure.objects.filter(household=household).select_related("helper"),
                      key=lambda m: (order.get(m.kind, len(order)), m.date))
    return [{"kind": MeasureKind(kind).label if kind in order else kind, "measures": list(group)}
            for kind, group in groupby(measures, key=lambda m: m.kind)]


def work_teams(household: Household) -> list[WorkTeam]:
    """The village's 驻村工作队 in office, with its members."""
    return list(WorkTeam.objects.filter(village_id=household.village_id, active=True)
                .prefetch_related("members").order_by("-start"))


def regions_of(household: Household) -> dict:
    path = {r.level: r for r in household.village.path()}
    return {"county": path.get(Level.COUNTY), "township": path.get(Level.TOWNSHIP), "village": household.village}


def system_reader():
    """Who the sections read as when the system prints (CLI without --user): an unsaved superuser without a region,
    whose ``visible_to`` keeps every row, so a section's scoped query needs no special case."""
    return get_user_model()(username="system", is_superuser=True)


def household_data(household: Household, user, *, full: bool = False, year: int | None = None) -> dict:
    """Everything the manual and the household file's manual panel show of one household."""
    incomes = income_years(household)
    year = year or (incomes[0].account.year if incomes else timezone.localdate().year)
    current = next((i for i in incomes if i.account.year == year), None)
    members = list(household.members.filter(active=True).order_by("relation", "birth_date"))
    for m in members:
        m.id_shown = m.id_number if full else mask(m.id_number)
    checks = list(household.security_checks.order_by("-year")[:INCOME_YEARS])
    return {
        "household": household,
        "user": user if user is not None else system_reader(),
        "full": full,
        "year": year,
        "regions": regions_of(household),
        "L": code_labels(),
        "phone": household.phone if full else mask_phone(household.phone),
        "bank_account": household.bank_account if full else mask(household.bank_account),
        "members": members,
        "incomes": incomes,
        "income": current,
        "checks": checks,
        "check": next((c for c in checks if c.year == year), None),
        "pairings": list(Pairing.objects.filter(household=household).select_related("helper")
                         .order_by("end", "-start")),
        "teams": work_teams(household),
        "measure_groups": measures_by_kind(household),
        "visits": list(Visit.objects.filter(household=household).select_related("helper").order_by("-date", "-id")),
        "sections": list(MANUAL_SECTIONS),
        "printed": timezone.localtime(),
    }


def household_html(household: Household, user, *, full: bool = False, year: int | None = None) -> str:
    return render_to_string("assistance/manual.html", household_data(household, user, full=full, year=year))


def _audit(user, households: list[Household], *, full: bool, channel: str, where: str) -> None:
    record_export(user if user is not None and user.is_authenticated else None, title=TITLE,
                  model_name="household", count=len(households), full=full, masked=not full, channel=channel,
                  filters=where)


def household_pdf(household: Household, user, *, full: bool = False, year: int | None = None, channel: str) -> bytes:
    """One household's manual (the page button, the API)."""
    if full:
        ensure_may_print_full(user, household.village_id)
    data = pdf.render_pdf(household_html(household, user, full=full, year=year))
    _audit(user, [household], full=full, channel=channel, where=f"户编号={household.number}")
    return data


def filename(household: Household) -> str:
    return f"{TITLE}-{household.number}-{household.head_name or '无户主'}.pdf"


def village_households(village: Region, user):
    """The village's households the user may see (all of them for the system)."""
    households = Household.objects.all() if user is None else Household.objects.visible_to(user)
    return households.filter(village=village).select_related("village").order_by("number")


def print_village(village: Region, user, target, *, as_zip: bool, full: bool = False, year: int | None = None,
                  channel: str, progress: Callable | None = None) -> int:
    """A village's manuals into ``target`` (a path or binary file): one PDF, each household with its own page
    numbers, or a zip of one PDF per household. ``progress(done, total, message)`` after each household."""
    if full:
        ensure_may_print_full(user, village.code)
    households = list(village_households(village, user))
    total = len(households)
    if progress:
        progress(0, total, f"正在生成{village.name}的扶贫手册：共 {total} 户", force=True)

    def htmls() -> Iterable[tuple[Household, str]]:
        for done, household in enumerate(households, start=1):
            yield household, household_html(household, user, full=full, year=year)
            if progress:
                progress(done, total, f"正在生成{village.name}的扶贫手册：已完成 {done} 户")

    if as_zip:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
            for household, html in htmls():
                archive.writestr(filename(household), pdf.render_pdf(html))
    else:
        pdf.render_pdfs((html for _, html in htmls()), target)
    _audit(user, households, full=full, channel=channel, where=f"村={village.code}")
    return total
