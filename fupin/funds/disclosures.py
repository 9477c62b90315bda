"""公告公示 of funds: allocation results and project plans, published by the region that allocates (谁分配、谁使用、
谁公开) for at least the configured days (原则上不少于10天, docs/domain-facts.md §6).

They are notices of the procedures engine (``procedures.notices``): a 公告 with this app's columns and one item per
allocation (subject ``funds.allocation:<id>``) or planned project (``funds.plan:<id>``) carrying only the public
columns. So the one public page (/public/notices/), the A4 PDF with the shipped font, objections and the check
that no ID, mobile or bank number is printed (``procedures.notice_text``) serve funds too.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from fupin.audit.services import record_change
from fupin.procedures import notices
from fupin.procedures.models import Notice, NoticeItem, NoticeKind
from fupin.projects.models import Project, ProjectStatus
from fupin.regions.models import PREFIX_LENGTH, Level, Region

from .models import Allocation, AllocationStatus, Fund
from .services import disclosure_days, ensure_can_change

ALLOCATION, PLAN = "allocation", "plan"
SUBJECT_PREFIX = {ALLOCATION: "funds.allocation:", PLAN: "funds.plan:"}
KIND_LABELS = {ALLOCATION: "资金分配结果", PLAN: "扶贫项目计划"}
# The public columns of each kind: [key, heading]. Nothing else is copied.
COLUMNS = {
    ALLOCATION: [["item", "资金项目"], ["project", "项目名称"], ["place", "实施地点"], ["amount", "分配金额（元）"],
                 ["date", "分配日期"], ["document", "分配文号"]],
    PLAN: [["project", "项目名称"], ["place", "实施地点"], ["scale", "建设规模"], ["unit", "实施单位"],
           ["mechanism", "带贫机制"], ["amount", "计划投资（元）"], ["source", "资金来源"]],
}
MAX_ITEMS = 2000


def _place_names(codes) -> dict[str, str]:
    """Township + village names of each code (a township or county by its own name)."""
    codes = set(codes)
    townships = {c: c[:PREFIX_LENGTH[Level.TOWNSHIP]].ljust(12, "0") for c in codes}
    names = dict(Region.objects.filter(code__in=codes | set(townships.values())).values_list("code", "name"))
    return {c: names.get(c, "") if townships[c] == c else f"{names.get(townships[c], '')}{names.get(c, '')}"
            for c in codes}


def allocation_rows(fund: Fund) -> list[tuple[int, dict]]:
    """(allocation id, public row) of the fund's issued allocations."""
    allocations = list(Allocation.objects.filter(fund=fund, status=AllocationStatus.ISSUED)
                       .select_related("project").order_by("region_id", "id"))
    places = _place_names(a.region_id for a in allocations)
    return [(a.pk, {"item": a.item, "project": a.project.name if a.project else "（补助到户）",
                    "place": places[a.region_id], "amount": f"{a.amount:.2f}", "date": a.allocated_on.isoformat(),
                    "document": a.document_number}) for a in allocations]


def plan_rows(region: Region, year: int) -> list[tuple[int, dict]]:
    projects = list(Project.objects.in_region(region.prefix).filter(year=year).exclude(
        status=ProjectStatus.REJECTED).order_by("region_id", "id"))
    places = _place_names(p.region_id for p in projects)
    return [(p.pk, {"project": p.name, "place": places[p.region_id], "scale": p.scale, "unit": p.implementing_unit,
                    "mechanism": p.benefit_mechanism, "amount": f"{p.planned_amount:.2f}",
                    "source": p.get_fund_source_display()}) for p in projects]


def default_title(kind: str, region: Region, year: int, fund: Fund | None) -> str:
    if kind == ALLOCATION and fund is not None:
        return f"关于{year}年{fund.title}分配结果的公告"
    return f"关于{region.name}{year}年扶贫项目计划的公告"


@transaction.atomic
def publish(*, kind: str, start_date: dt.date, end_date: dt.date, acting_user, channel, fund: Fund | None = None,
            region: Region | None = None, year: int | None = None, title: str = "", body: str = "",
            contact: str = "") -> Notice:
    """Publish a fund's allocation results (``fund``) or a region's project plan for a year (``region``, ``year``)
    as a 公告 of the fund's (or plan's) region; the notice engine checks the texts and freezes the rows."""
    if kind == ALLOCATION:
        if fund is None:
            raise ValidationError({"fund": "请选择要公示分配结果的资金指标"})
        region, year, rows = fund.region, fund.year, allocation_rows(fund)
    else:
        if region is None or not year:
            raise ValidationError({"region": "请选择公示单位和年度"})
        rows = plan_rows(region, year)
    # 谁分配、谁公开: the region that allocates publishes, within the account's scope.
    ensure_can_change(acting_user, region.code)
    errors = {}
    if not rows:
        errors["fund" if kind == ALLOCATION else "region"] = "没有可公示的内容"
    elif len(rows) > MAX_ITEMS:
        errors["region"] = f"一次最多公示{MAX_ITEMS}项"
    if region.level not in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE):
        errors["region"] = "公示单位应为县、乡镇或村"
    days = disclosure_days(year, region.code)
    if end_date < start_date:
        errors["end_date"] = "公示截止日期不能早于开始日期"
    elif (end_date - start_date).days + 1 < days:
        errors["end_date"] = (f"公示时间不得少于{days}天（{start_date:%Y-%m-%d}起至少到"
                              f"{start_date + dt.timedelta(days=days - 1):%Y-%m-%d}）")
    if errors:
        raise ValidationError(errors)
    total = sum(float(row["amount"]) for _, row in rows)
    notice = Notice.objects.create(
        kind=NoticeKind.ANNOUNCEMENT, level=region.level, region=region, start_date=start_date, end_date=end_date,
        title=((title or "").strip() or default_title(kind, region, year, fund))[:200],
        body=(body or "").strip() or (f"根据扶贫资金项目公告公示制度，按照“谁分配、谁使用、谁公开”的原则，现将{year}年"
                                      f"{KIND_LABELS[kind]}（共{len(rows)}项，合计{total:,.2f}元）予以公告。公告期间如有"
                                      f"异议，请向{region.name}反映，也可登录扶贫管理平台公开页面提出。"),
        contact=(contact or "").strip(), created_by=acting_user, columns=COLUMNS[kind])
    NoticeItem.objects.bulk_create(NoticeItem(notice=notice, subject=f"{SUBJECT_PREFIX[kind]}{pk}", row=row,
                                              position=i) for i, (pk, row) in enumerate(rows, 1))
    record_change(notice, before=None, acting_user=acting_user, channel=channel,
                  note=f"新建{KIND_LABELS[kind]}公告（{len(rows)}项）")
    return notices.publish_notice(notice, acting_user=acting_user, channel=channel)


def funds_notices(user):
    """The funds' notices the user's scope covers (allocation results and project plans), newest first."""
    ids = NoticeItem.objects.filter(Q(subject__startswith=SUBJECT_PREFIX[ALLOCATION])
                                    | Q(subject__startswith=SUBJECT_PREFIX[PLAN])).values("notice_id")
    return Notice.objects.visible_to(user).filter(pk__in=ids).select_related("region").order_by("-start_date", "-id")


def fund_notices(fund: Fund):
    """The notices that published this fund's allocations."""
    subjects = [f"{SUBJECT_PREFIX[ALLOCATION]}{pk}" for pk in fund.allocations.values_list("pk", flat=True)]
    ids = NoticeItem.objects.filter(subject__in=subjects).values("notice_id")
    return Notice.objects.filter(pk__in=ids).order_by("-start_date", "-id")
