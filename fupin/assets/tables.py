"""Columns of the asset list's Excel export; the import reads the same headers, so an export is a valid import
file (its extra columns — 状态, 来源项目 … — are ignored)."""

from fupin.core.tables import DATE, NUMBER, Column, Table
from fupin.projects.models import PlannedSource
from fupin.regions.models import Level

from .choices import AssetKind, AssetStatus, DistributionPlan, SubKind
from .models import Asset

COLUMNS = [
    Column("资产编号", "id", NUMBER),
    Column("资产名称", "name", width=28),
    Column("资产类别", "kind", choices=dict(AssetKind.choices), width=12),
    Column("资产子类", "sub_kind", choices=dict(SubKind.choices), width=16),
    Column("乡镇", "region_id", region_level=Level.TOWNSHIP, width=12),
    Column("村", "region_id", region_level=Level.VILLAGE, width=12),
    Column("所在区划代码", "region_id", width=15),
    Column("具体位置", "location", width=20),
    Column("资产原值（元）", "value", NUMBER, width=14),
    Column("形成日期", "formed_on", DATE),
    Column("资金来源", "fund_source", choices=dict(PlannedSource.choices), width=16),
    Column("数量", "quantity", NUMBER),
    Column("计量单位", "unit"),
    Column("确权登记日期", "registered_on", DATE),
    Column("确权证书编号", "certificate", width=18),
    Column("所有权人", "owner", width=20),
    Column("经营权人", "operator", width=20),
    Column("收益权人", "beneficiary", width=20),
    Column("监督权人", "supervisor", width=20),
    Column("资产状态", "status", choices=dict(AssetStatus.choices)),
    Column("收益分配方案", "plan", choices=dict(DistributionPlan.choices)),
    Column("分配到户比例（%）", "plan_share", NUMBER),
    Column("来源项目", "project__name", width=24),
    Column("备注", "note", width=20),
]

assets = Table(title="扶贫项目资产", model=Asset, columns=COLUMNS, order_by=("region_id", "-formed_on", "id"))
