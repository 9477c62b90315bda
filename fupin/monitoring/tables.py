"""Monitoring list columns, shared by the Excel exports (IDs and codes are written as text cells)."""

from fupin.core.tables import BOOL, DATE, DATETIME, NUMBER, Column, Table
from fupin.regions.models import Level

from . import explain
from .models import (
    Alert,
    AlertStatus,
    EliminationMethod,
    Finding,
    MonitoredHousehold,
    MonitoredKind,
    MonitoredStatus,
    RiskType,
    Severity,
    Source,
)


def _risk_labels(value: str) -> str:
    names = dict(RiskType.choices)
    return "、".join(str(names.get(c, c)) for c in (value or "").split(",") if c)




REGION_COLUMNS = [
    Column("乡镇", "village_id", region_level=Level.TOWNSHIP, width=14),
    Column("村", "village_id", region_level=Level.VILLAGE, width=14),
    Column("村代码", "village_id", width=15),
]

alerts = Table(
    title="预警核实",
    model=Alert,
    columns=[
        Column("预警编号", "id", NUMBER),
        *REGION_COLUMNS,
        Column("户编号", "household__number", width=20),
        Column("户主", "household__head_name"),
        Column("户主证件号码", "household__head_id_number", sensitive=True, width=22),
        Column("年度", "year", NUMBER),
        Column("来源", "source", choices=dict(Source.choices)),
        Column("状态", "status", choices=dict(AlertStatus.choices)),
        Column("严重程度", "severity", choices=dict(Severity.choices)),
        Column("触发规则", "rules", width=16),
        Column("触发数据", "figures", width=60, transform=explain.text),
        Column("规则仍触发", "firing", BOOL),
        Column("线索内容", "description", width=30),
        Column("发现时间", "created", DATETIME),
        Column("核实期限", "due", DATE),
        Column("核实意见", "verification", width=30),
        Column("核实时间", "verified", DATETIME),
    ],
    order_by=("village_id", "household__number", "id"),
)

monitored = Table(
    title="监测对象",
    model=MonitoredHousehold,
    columns=[
        *REGION_COLUMNS,
        Column("户编号", "household__number", width=20),
        Column("户主", "household__head_name"),
        Column("户主证件号码", "household__head_id_number", sensitive=True, width=22),
        Column("家庭人口数", "household__size", NUMBER),
        Column("监测对象类别", "kind", choices=dict(MonitoredKind.choices), width=16),
        Column("纳入年度", "year", NUMBER),
        Column("识别监测时间", "identified_on", DATE),
        Column("风险类型", "risks", width=24, transform=_risk_labels),
        Column("纳入时人均纯收入", "per_capita_income", NUMBER),
        Column("纳入时监测范围", "monitoring_line", NUMBER),
        Column("整户无劳动能力", "no_work_capacity", BOOL),
        Column("状态", "status", choices=dict(MonitoredStatus.choices)),
        Column("风险消除方式", "elimination_method", choices=dict(EliminationMethod.choices)),
        Column("风险消除时间", "eliminated_on", DATE),
    ],
    order_by=("village_id", "household__number", "-identified_on"),
)

findings = Table(
    title="逻辑校验问题",
    model=Finding,
    columns=[
        *REGION_COLUMNS,
        Column("户编号", "household__number", width=20),
        Column("户主", "household__head_name"),
        Column("校验规则", "rule__code"),
        Column("问题", "rule__name", width=30),
        Column("问题数据", "figures", width=40, transform=explain.values_text),
        Column("年度", "year", NUMBER),
        Column("发现时间", "first_seen", DATETIME),
    ],
    order_by=("village_id", "household__number", "rule__code"),
)
