"""扶贫项目 list and export columns (no personal data: a project row names no one)."""

from fupin.core.tables import DATE, NUMBER, Column, Table
from fupin.regions.models import Level

from .models import LibraryStatus, PlannedSource, Project, ProjectKind, ProjectStatus

projects = Table(
    title="扶贫项目库",
    model=Project,
    columns=[
        Column("项目编号", "id", NUMBER),
        Column("年度", "year", NUMBER),
        Column("乡镇", "region_id", region_level=Level.TOWNSHIP, width=14),
        Column("村", "region_id", region_level=Level.VILLAGE, width=14),
        Column("实施地点代码", "region_id", width=15),
        Column("项目名称", "name", width=30),
        Column("项目类别", "kind", choices=dict(ProjectKind.choices)),
        Column("项目状态", "status", choices=dict(ProjectStatus.choices)),
        Column("入库状态", "library_status", choices=dict(LibraryStatus.choices)),
        Column("入库/出库日期", "library_date", DATE),
        Column("计划投资（元）", "planned_amount", NUMBER, width=14),
        Column("计划资金来源", "fund_source", choices=dict(PlannedSource.choices), width=16),
        Column("实施单位", "implementing_unit", width=20),
        Column("计划开工", "planned_start", DATE),
        Column("计划完工", "planned_end", DATE),
        Column("建设规模", "scale", width=24),
        Column("带贫机制", "benefit_mechanism", width=30),
        Column("预计受益户数", "expected_households", NUMBER),
        Column("预计受益人数", "expected_people", NUMBER),
        Column("其中脱贫户", "expected_poor_households", NUMBER),
        Column("其中监测户", "expected_monitored_households", NUMBER),
        Column("审批日期", "approved_on", DATE),
        Column("实施进度（%）", "progress", NUMBER),
        Column("实际开工", "started_on", DATE),
        Column("实际完工", "completed_on", DATE),
        Column("移交日期", "handed_over_on", DATE),
    ],
    order_by=("-year", "region_id", "id"),
)
