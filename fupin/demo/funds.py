"""The demo's 扶贫资金: the county's funds of each source with their 文号, allocations to the demo projects (read from
the projects the projects demo made) and to household subsidies in the demo villages, one bank file of a few
hundred payments to the villages' members loaded through the import (with a handful of deliberate anomalies for the
checks to find: a member on the death register paid after the death, one payment booked twice, an ID number no
household holds), and the allocation results of one fund published as a 公告 — all through the funds services
with the county's account."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from fupin.audit.models import Channel
from fupin.comparison.models import DatasetKind, DatasetRow
from fupin.core import idnumber
from fupin.funds import disclosures, services
from fupin.funds.imports import FIELDS, create_batch, load_disbursements
from fupin.funds.models import Allocation, Fund, FundSource
from fupin.projects.models import Project, ProjectStatus
from fupin.regions.models import Level
from fupin.registry.models import Member

from .workflows import Actors

PAGE = Channel.PAGE
FUNDED = (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.ACCEPTED, ProjectStatus.HANDED_OVER)
# (source, title, 文号 pattern, amount 元)
FUNDS = [
    (FundSource.CENTRAL, "中央财政衔接推进乡村振兴补助资金", "豫财农〔{y}〕8号", 6_000_000),
    (FundSource.PROVINCIAL, "省级财政衔接推进乡村振兴补助资金", "豫财农〔{y}〕21号", 2_400_000),
    (FundSource.CITY, "市级财政衔接资金", "平财农〔{y}〕5号", 800_000),
    (FundSource.COUNTY, "县级财政衔接资金", "舞财农〔{y}〕3号", 1_200_000),
    (FundSource.INTEGRATED, "统筹整合使用财政涉农资金", "舞政〔{y}〕12号", 5_000_000),
    (FundSource.EAST_WEST, "东西部协作帮扶资金", "舞协作〔{y}〕2号", 1_000_000),
    (FundSource.PAIRED, "定点帮扶单位帮扶资金", "舞帮〔{y}〕1号", 300_000),
    (FundSource.SOCIAL, "社会帮扶捐赠资金", "舞慈〔{y}〕4号", 150_000),
]
# Household subsidies paid in every demo village: (item, fund source, amount per payment, people, monthly payments).
SUBSIDIES = [("产业发展奖补", FundSource.PROVINCIAL, Decimal("1500.00"), 60, 1),
             ("雨露计划助学补助", FundSource.COUNTY, Decimal("1500.00"), 30, 1),
             ("公益岗位补贴", FundSource.CITY, Decimal("600.00"), 20, 6)]
# Allocations leave some of each subsidy unspent, so the progress is below 100%.
ALLOCATED_SHARE = Decimal("1.25")


def _header() -> list[str]:
    return [f.label for f in FIELDS]


def create_funds(actors: list[Actors], today: dt.date) -> int:
    """Returns the number of disbursements loaded."""
    county_user = actors[0].by_level[Level.COUNTY]
    county = county_user.region
    issued = today - dt.timedelta(days=150)
    year = issued.year
    funds = {}
    for source, title, number, amount in FUNDS:
        funds[source] = services.save_fund(Fund(
            region=county, year=year, source=source, title=title, document_number=number.format(y=year),
            document_date=issued, amount=Decimal(amount), remarks="演示数据"), acting_user=county_user, channel=PAGE)
    villages = [a.village.region for a in actors]
    projects = list(Project.objects.filter(region__in=villages, status__in=FUNDED).order_by("id"))
    allocated_on = issued + dt.timedelta(days=20)
    for i, project in enumerate(projects):
        fund = funds[FundSource.INTEGRATED if i % 2 else FundSource.CENTRAL]
        amount = min(project.planned_amount, fund.amount - services.allocated_total(fund))
        if amount <= 0:
            continue
        services.save_allocation(Allocation(
            fund=fund, project=project, region=project.region, item=project.name, amount=amount,
            allocated_on=allocated_on, document_number=f"舞财预〔{year}〕{30 + i}号"),
            acting_user=county_user, channel=PAGE)
    subsidies = {}
    for village in villages:
        for item, source, each, people, months in SUBSIDIES:
            amount = (each * people * months * ALLOCATED_SHARE).quantize(Decimal("0.01"))
            subsidies[village.code, item] = services.save_allocation(Allocation(
                fund=funds[source], region=village, item=item, amount=amount,
                allocated_on=allocated_on, document_number=f"舞财预〔{year}〕{60 + len(subsidies)}号"),
                acting_user=county_user, channel=PAGE)
    rows = _payments(villages, subsidies, today, allocated_on)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "县农商银行代发明细.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([_header(), *rows])
        batch = create_batch(path.name, acting_user=county_user, channel=PAGE)
        report = load_disbursements(path, batch, acting_user=county_user, channel=PAGE)
    if report["error_count"]:
        raise RuntimeError(f"演示拨付明细未能导入：{report['errors'][:3]}")
    start = timezone.localdate()
    disclosures.publish(kind=disclosures.ALLOCATION, fund=funds[FundSource.PROVINCIAL], start_date=start,
                        end_date=start + dt.timedelta(days=14), contact="0375-8123456", acting_user=county_user,
                        channel=PAGE)
    return report["loaded"]


def _payments(villages, subsidies, today: dt.date, allocated_on: dt.date) -> list[list[str]]:
    """The bank file's rows (in FIELDS order): each subsidy paid to members of the village, plus the anomalies."""
    rows = []
    voucher = iter(range(1, 10**6))
    paid_on = min(today, allocated_on + dt.timedelta(days=30))

    def row(member_name, id_number, allocation, amount, day, village_code):
        return [f"NS{day:%Y%m%d}{next(voucher):05d}", member_name, id_number, "", f"{amount:.2f}", day.isoformat(),
                village_code, str(allocation.pk), "", ""]

    for village in villages:
        members = list(Member.objects.filter(household__village=village, active=True).exclude(id_number="")
                       .order_by("household__number", "id")[:max(people for _, _, _, people, _ in SUBSIDIES)])
        for item, _, each, people, months in SUBSIDIES:
            allocation = subsidies[village.code, item]
            for month in range(months):
                day = min(today, paid_on + dt.timedelta(days=30 * month))
                for member in members[:people]:
                    rows.append(row(member.name, member.id_number, allocation, each, day, village.code))
    first = villages[0]
    allocation = subsidies[first.code, SUBSIDIES[0][0]]
    # Paid twice: the first payment of the file booked again under a new voucher.
    duplicate = list(rows[0])
    duplicate[0] = f"NS{paid_on:%Y%m%d}{next(voucher):05d}"
    rows.append(duplicate)
    # An ID number no household of the register holds.
    rows.append(row("王某某", idnumber.make(first.code[:6], dt.date(1975, 3, 8), 917), allocation,
                    SUBSIDIES[0][2], paid_on, first.code))
    # A member on the death register (the comparison demo's upload), paid after the date of death.
    death = DatasetRow.objects.filter(dataset__kind=DatasetKind.objects.filter(code="death").first()).first()
    member = Member.objects.filter(id_number=death.id_number).select_related("household").first() if death else None
    if member is not None and member.household.village_id in {v.code for v in villages}:
        died = dt.date.fromisoformat(death.data.get("death_date") or today.isoformat())
        rows.append(row(member.name, member.id_number, subsidies[member.household.village_id, SUBSIDIES[0][0]],
                        SUBSIDIES[0][2], min(died + dt.timedelta(days=5), timezone.localdate()),
                        member.household.village_id))
    return rows
