"""Export columns of the 应享未享 gaps (the record kinds' columns are declared with the kinds, ``kinds.py``)."""

from fupin.core.tables import DATETIME, NUMBER, Column, Table
from fupin.regions.models import Level

from . import board
from .choices import GapStatus
from .coverage import MEMBER_FACTS
from .models import CoverageGap

FACT_LABELS = {f.name: f.label for f in MEMBER_FACTS}


def figures_text(figures: dict) -> str:
    """依据 in one line: each fact the rule read, by its Chinese name (1/0 as 是/否 for the flags)."""
    parts = []
    for name, value in (figures or {}).items():
        label = FACT_LABELS.get(name, name).split("（")[0]
        if name in FLAG_FACTS and value in (0, 1):
            value = "是" if value else "否"
        parts.append(f"{label}：{value if value not in (None, '') else '无'}")
    return "；".join(parts)


FLAG_FACTS = {f.name for f in MEMBER_FACTS if "1是 0否" in f.label}


def gap_table() -> Table:
    """The gap list's columns, with the rule names as they are now (one query, not one per row)."""
    return Table("应享未享清单", CoverageGap, [
        Column("乡镇", "village_code", region_level=Level.TOWNSHIP),
        Column("村", "village_code", region_level=Level.VILLAGE),
        Column("村代码", "village_code", width=14),
        Column("户编号", "household_number", width=20),
        Column("姓名", "member_name"),
        Column("证件号码", "id_number", sensitive=True, width=22),
        Column("规则", "rule", choices=board.rule_names(), width=24),
        Column("年度", "year", NUMBER),
        Column("依据", "figures", transform=figures_text, width=50),
        Column("状态", "status", choices=dict(GapStatus.choices)),
        Column("发现时间", "first_seen", DATETIME),
        Column("最近排查时间", "last_seen", DATETIME),
    ], order_by=("village_code", "household_number", "rule"))
