"""Working days (工作日) for step deadlines, and the holiday calendar they skip.

A working day is Monday to Friday, less the calendar's holidays (放假) and plus its 调休 working days (调休上班), as
each year's 国务院办公厅 部分节假日安排 sets them (docs/domain-facts.md §3.2 for the statutory steps they time). The
calendar is data (``CalendarDay``): national rows, and a region's own rows that win over them for its villages.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fupin.audit.models import Action
from fupin.audit.services import record_change, snapshot
from fupin.core import excel
from fupin.core.scope import in_scope
from fupin.regions.models import Level, Region, ancestor_codes

from .models import CalendarDay, DayKind, StepStatus

DAY = dt.timedelta(days=1)


class WorkCalendar:
    """The working days of one place: the national calendar overlaid with its province's, city's and county's."""

    def __init__(self, region_code: str | None = None):
        codes = ancestor_codes(region_code) if region_code else []
        rank = {code: i for i, code in enumerate(codes)}
        rows = CalendarDay.objects.filter(Q(region__isnull=True) | Q(region_id__in=codes)).values_list(
            "date", "kind", "region_id"
        )
        self.days: dict[dt.date, str] = {}
        for day, kind, _region in sorted(rows, key=lambda r: -1 if r[2] is None else rank[r[2]]):
            self.days[day] = kind  # the most specific region's row comes last and wins

    def is_working(self, day: dt.date) -> bool:
        kind = self.days.get(day)
        if kind is not None:
            return kind == DayKind.WORKDAY
        return day.weekday() < 5

    def add(self, start: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``start`` (the day a step begins does not count)."""
        day = start
        while count > 0:
            day += DAY
            count -= self.is_working(day)
        return day

    def count(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
        total, day = 0, start
        while day < end:
            day += DAY
            total += self.is_working(day)
        return total


def due_date(start: dt.date, days: int, *, working_days: bool, region_code: str | None) -> dt.date:
    if not working_days:
        return start + dt.timedelta(days=days)
    return WorkCalendar(region_code).add(start, days)


class ClockState:
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Clock:
    """Where an active step stands against its deadline; ``label`` says it in words (the colour only repeats it)."""

    state: str
    label: str


def clock(step, calendar: WorkCalendar, today: dt.date | None = None) -> Clock | None:
    """按期 (green), 即将到期 — due within one working day (amber), 已逾期 (red); None for a step not running."""
    if step.status != StepStatus.ACTIVE or step.due is None:
        return None
    today = today or timezone.localdate()
    unit = "个工作日" if step.working_days else "天"

    def span(start, end):
        return calendar.count(start, end) if step.working_days else (end - start).days

    if step.due < today:
        late = span(step.due, today)
        return Clock(ClockState.OVERDUE, f"已逾期{late}{unit}" if late else "已逾期")
    left = span(today, step.due)
    if left <= 1:
        return Clock(ClockState.DUE_SOON, "今日到期" if step.due == today else f"即将到期（剩余{left}{unit}）")
    return Clock(ClockState.ON_TIME, f"按期（剩余{left}{unit}）")


class Calendars:
    """One WorkCalendar per village, for a page or list of steps from many villages."""

    def __init__(self):
        self._by_code: dict[str, WorkCalendar] = {}

    def clock(self, step, village_code: str, today: dt.date | None = None) -> Clock | None:
        if village_code not in self._by_code:
            self._by_code[village_code] = WorkCalendar(village_code)
        return clock(step, self._by_code[village_code], today)


# --- maintaining the calendar ---------------------------------------------------------------------------------------

KIND_WORDS = {"放假": DayKind.HOLIDAY, "休": DayKind.HOLIDAY, "休息": DayKind.HOLIDAY, "holiday": DayKind.HOLIDAY,
              "调休上班": DayKind.WORKDAY, "上班": DayKind.WORKDAY, "班": DayKind.WORKDAY, "workday": DayKind.WORKDAY}
COLUMNS = {"日期": "date", "类别": "kind", "名称": "name", "文件依据": "document"}


def ensure_can_edit(user, region) -> None:
    if not user.can_administer:
        raise PermissionDenied("只有系统管理员可以维护节假日安排")
    if region is None and not user.is_superuser:
        raise PermissionDenied("全国节假日安排只能由超级管理员维护")
    if region is not None and not in_scope(user, region.code):
        raise PermissionDenied(f"{region.name}不在当前账号的管辖范围内")


def _check(day: CalendarDay) -> None:
    if day.region_id and day.region.level not in (Level.PROVINCE, Level.CITY, Level.COUNTY):
        raise ValidationError({"region": "地方节假日安排只能按省、市或县设置"})
    if day.kind not in DayKind.values:
        raise ValidationError({"kind": "类别应为“放假”或“调休上班”"})
    if not (day.name or "").strip():
        raise ValidationError({"name": "请填写名称（如春节、国庆节）"})


@transaction.atomic
def save_day(day: CalendarDay, *, acting_user, channel) -> CalendarDay:
    """Add or change one day. Deadlines already set keep their dates; steps started from now on count with it."""
    ensure_can_edit(acting_user, day.region)
    _check(day)
    before = None
    if day.pk:
        original = CalendarDay.objects.get(pk=day.pk)
        ensure_can_edit(acting_user, original.region)
        before = snapshot(original)
    duplicate = CalendarDay.objects.filter(date=day.date, region=day.region).exclude(pk=day.pk).first()
    if duplicate is not None:
        raise ValidationError({"date": f"{day.date:%Y-%m-%d}已有安排：{duplicate}"})
    day.name = day.name.strip()
    day.save()
    record_change(day, before=before, acting_user=acting_user, channel=channel)
    return day


@transaction.atomic
def delete_day(day: CalendarDay, *, acting_user, channel) -> None:
    ensure_can_edit(acting_user, day.region)
    record_change(day, before=snapshot(day), acting_user=acting_user, channel=channel, action=Action.DELETE)
    day.delete()


def _parse_date(text: str) -> dt.date | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    for pattern in ("%Y-%m-%d", "%Y年%m月%d日", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@transaction.atomic
def import_year(path, year: int, *, region: Region | None = None, document: str = "", acting_user, channel,
                filename: str | None = None) -> dict:
    """Replace one year's calendar (national, or the region's) from an Excel or CSV file with the columns
    日期、类别（放假/调休上班）、名称 and optionally 文件依据. Every row is checked before anything is written;
    refusals name the row."""
    ensure_can_edit(acting_user, region)
    try:
        sheet = excel.read(path, filename=filename)
    except excel.SpreadsheetError as exc:
        raise ValidationError(str(exc)) from exc
    errors = excel.ErrorList()
    found, _ = excel.match_columns(sheet.header, COLUMNS, errors, sheet.header_row, required=("日期", "类别", "名称"))
    if errors:
        raise ValidationError([str(e) for e in errors.sorted()])
    days, problems = {}, []
    for row in sheet.rows:
        day = _parse_date(row[found["日期"]])
        kind = KIND_WORDS.get(row[found["类别"]].strip().lower())
        name = row[found["名称"]].strip()
        source = row[found["文件依据"]].strip() if "文件依据" in found else ""
        if day is None:
            problems.append(f"第{row.number}行：日期“{row[found['日期']]}”无法识别（应为 2026-10-01）")
        elif day.year != year:
            problems.append(f"第{row.number}行：日期{day:%Y-%m-%d}不在{year}年")
        elif day in days:
            problems.append(f"第{row.number}行：日期{day:%Y-%m-%d}重复")
        if kind is None:
            problems.append(f"第{row.number}行：类别“{row[found['类别']]}”应为“放假”或“调休上班”")
        if not name:
            problems.append(f"第{row.number}行：请填写名称")
        if day is not None and kind is not None and name:
            days[day] = CalendarDay(date=day, kind=kind, name=name[:50], region=region,
                                    document=(source or document)[:200])
    if problems:
        raise ValidationError(problems)
    if not days:
        raise ValidationError(f"文件中没有{year}年的安排")
    old = CalendarDay.objects.filter(region=region, date__year=year)
    removed = 0
    for day in old:
        record_change(day, before=snapshot(day), acting_user=acting_user, channel=channel, action=Action.DELETE,
                      note=f"导入{year}年节假日安排，替换原有安排")
        removed += 1
    old.delete()
    for day in days.values():
        day.save()
        record_change(day, before=None, acting_user=acting_user, channel=channel, note=f"导入{year}年节假日安排")
    return {"year": year, "imported": len(days), "replaced": removed,
            "holidays": sum(d.kind == DayKind.HOLIDAY for d in days.values()),
            "workdays": sum(d.kind == DayKind.WORKDAY for d in days.values())}


def years_seeded() -> list[int]:
    return sorted({d.year for d in CalendarDay.objects.filter(region__isnull=True).values_list("date", flat=True)})
