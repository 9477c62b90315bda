"""Procedures list columns for the Excel exports: the 退出享受政策台账."""

from fupin.core.tables import DATE, DATETIME, NUMBER, Column, Table
from fupin.regions.models import Level

from .models import PolicyEnd

policy_ends = Table(
    title="退出享受政策台账",
    model=PolicyEnd,
    columns=[
        Column("台账编号", "id", NUMBER),
        Column("乡镇", "village_id", region_level=Level.TOWNSHIP, width=14),
        Column("村", "village_id", region_level=Level.VILLAGE, width=14),
        Column("村代码", "village_id", width=15),
        Column("户编号", "household__number", width=20),
        Column("户主姓名", "household__head_name", width=10),
        Column("家庭人口数", "household__size", NUMBER),
        Column("脱贫年度", "exit_year", NUMBER),
        Column("停止享受政策日期", "date", DATE),
        Column("依据（文件文号或原因）", "reason", width=40),
        Column("决定账号", "decided_by__username", width=14),
        Column("登记时间", "created", DATETIME),
    ],
    order_by=("-date", "village_id", "id"),
)
