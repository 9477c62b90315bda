"""List and export columns of the problem ledger (整改台账: 问题、整改措施、责任单位/责任人、整改时限、整改进展、销号),
and the columns of the import template."""

from fupin.core.tables import DATE, DATETIME, NUMBER, Column, Table
from fupin.regions.models import Level

from .models import Category, Item, Problem, SourceKind, Status

problems = Table("问题台账", Problem, [
    Column("编号", "id", NUMBER),
    Column("问题来源", "source_kind", choices=dict(SourceKind.choices)),
    Column("来源依据", "source_reference", width=30),
    Column("乡镇", "region_id", region_level=Level.TOWNSHIP),
    Column("村", "region_id", region_level=Level.VILLAGE),
    Column("户编号", "household__number", width=22),
    Column("户主", "household__head_name"),
    Column("项目", "project__name", width=24),
    Column("问题类别", "category", choices=dict(Category.choices)),
    Column("问题细项", "item", choices=dict(Item.choices), width=30),
    Column("问题描述", "description", width=50),
    Column("责任单位", "responsible_unit", width=20),
    Column("责任人", "owner_name"),
    Column("整改时限", "deadline", DATE),
    Column("整改措施", "measures", width=40),
    Column("整改状态", "status", choices=dict(Status.choices)),
    Column("逾期上报时间", "escalated_at", DATETIME),
    Column("销号时间", "closed_at", DATETIME),
    Column("审核意见", "review_note", width=30),
], order_by=("region_id", "deadline", "id"))


# The import template's columns, in order: header, required, what goes in it.
IMPORT_COLUMNS = (
    ("问题来源", True, "督查巡查、审计、考核评估、数据比对疑点、数据质量、资金异常、其他"),
    ("来源依据", False, "督查通报、审计报告、评估反馈的名称和文号"),
    ("区划代码", True, "问题所在村、乡镇或县的12位区划代码"),
    ("户编号", False, "涉及农户时填写"),
    ("项目编号", False, "涉及扶贫项目时填写项目库中的编号"),
    ("问题类别", True, "精准识别、精准施策、精准帮扶、精准脱贫、基础工作"),
    ("问题细项", False, "见“说明”页所列细项"),
    ("问题描述", True, "问题的具体表现"),
    ("责任单位", True, "如 某某村民委员会"),
    ("责任人账号", False, "责任人在本系统的用户名，问题列入其待办"),
    ("责任人姓名", False, "无系统账号时填写姓名"),
    ("整改时限", False, "YYYY-MM-DD；不填按整改参数中该类别的天数计算"),
    ("整改措施", False, "计划采取的整改措施"),
)
