"""Assistance list columns for the Excel exports: team members, unit pairings and the visit plan (phones masked)."""

import datetime as dt

from fupin.core.tables import DATE, NUMBER, Column, Table, mask_phone
from fupin.regions.models import Level

from .models import MemberStatus, Pairing, TeamMember, TeamRole, UnitLevel, UnitPairing
from .plans import HouseholdKind

team_members = Table(
    title="驻村工作队队员",
    model=TeamMember,
    columns=[
        Column("乡镇", "village_id", region_level=Level.TOWNSHIP, width=14),
        Column("村", "village_id", region_level=Level.VILLAGE, width=14),
        Column("村代码", "village_id", width=15),
        Column("工作队", "team__name", width=28),
        Column("姓名", "name", width=10),
        Column("派出单位", "unit", width=24),
        Column("职务", "role", choices=dict(TeamRole.choices)),
        Column("联系电话", "phone", sensitive=True, masker=mask_phone, width=14),
        Column("任期开始", "term_start", DATE),
        Column("任期结束", "term_end", DATE),
        Column("状态", "status", choices=dict(MemberStatus.choices)),
        Column("离岗日期", "left_on", DATE),
    ],
    order_by=("village_id", "team_id", "role", "name"),
)

unit_pairings = Table(
    title="定点帮扶单位",
    model=UnitPairing,
    columns=[
        Column("乡镇", "village_id", region_level=Level.TOWNSHIP, width=14),
        Column("村", "village_id", region_level=Level.VILLAGE, width=14),
        Column("帮扶单位", "unit", width=28),
        Column("单位隶属关系", "unit_level", choices=dict(UnitLevel.choices)),
        Column("帮扶开始", "start", DATE),
        Column("帮扶结束", "end", DATE),
        Column("联系人", "contact", width=10),
        Column("联系电话", "phone", sensitive=True, masker=mask_phone, width=14),
    ],
    order_by=("village_id", "unit"),
)


class PlanTable(Table):
    """The visit plan: the 应走访日期 column is the base date (last visit or start) plus the interval."""

    def rows(self, queryset, *, full=False, chunk_size=2000):
        columns = self.columns_for(full=full)
        due = next(i for i, c in enumerate(columns) if c.header == "应走访日期")
        interval = next(i for i, c in enumerate(columns) if c.field == "interval_days")
        for values in super().rows(queryset, full=full, chunk_size=chunk_size):
            days = values[interval]
            values[due] = values[due] + dt.timedelta(days=days) if days else None
            yield values


visit_plan = PlanTable(
    title="走访计划（逾期走访）",
    model=Pairing,
    columns=[
        Column("乡镇", "village_id", region_level=Level.TOWNSHIP, width=14),
        Column("村", "village_id", region_level=Level.VILLAGE, width=14),
        Column("户编号", "household__number", width=20),
        Column("户主姓名", "household__head_name", width=10),
        Column("户类别", "kind", choices=HouseholdKind.LABELS),
        Column("帮扶责任人", "helper__name", width=10),
        Column("帮扶单位", "helper__unit", width=24),
        Column("结对开始", "start", DATE),
        Column("最近走访", "last_visit", DATE),
        Column("走访周期（天）", "interval_days", NUMBER),
        Column("应走访日期", "base", DATE),
    ],
)
