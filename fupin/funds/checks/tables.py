"""Anomaly list and export columns (ID numbers masked unless the export is a full one)."""

from fupin.core.tables import DATETIME, NUMBER, Column, Table
from fupin.regions.models import Level

from ..models import Anomaly, AnomalyStatus, FundCheckRun, RunStatus, Severity
from . import explain

ANOMALY_TABLE = Table(
    "资金异常清单",
    Anomaly,
    [
        Column("乡镇", "region_id", region_level=Level.TOWNSHIP),
        Column("责任单位", "region__name", width=16),
        Column("区划代码", "region_id", width=14),
        Column("异常类型", "rule__name", width=22),
        Column("严重程度", "rule__severity", choices=dict(Severity.choices)),
        Column("年度", "fund__year", NUMBER),
        Column("资金名称", "fund__title", width=30),
        Column("资金项目", "allocation__item", width=20),
        Column("收款人", "payee_name"),
        Column("证件号码", "id_number", sensitive=True, width=22),
        Column("涉及金额（元）", "amount", NUMBER),
        Column("异常依据", "figures", transform=explain.text, width=60),
        Column("状态", "status", choices=dict(AnomalyStatus.choices)),
        Column("首次发现", "first_seen", DATETIME),
        Column("最近发现", "last_seen", DATETIME),
        Column("核实人", "answered_by__full_name"),
        Column("核实时间", "answered_at", DATETIME),
        Column("核实说明", "answer", width=40),
    ],
    order_by=("region_id", "rule__code", "id"),
)

RUN_TABLE = Table(
    "资金异常检查",
    FundCheckRun,
    [
        Column("编号", "id", NUMBER),
        Column("年度", "year", NUMBER),
        Column("范围", "region__name"),
        Column("状态", "status", choices=dict(RunStatus.choices)),
        Column("扫描拨付笔数", "scanned", NUMBER),
        Column("新增", "opened", NUMBER),
        Column("消除", "closed", NUMBER),
        Column("发起人", "started_by__full_name"),
        Column("开始时间", "started", DATETIME),
    ],
)
