"""Region list columns: the export, which is also a valid region import file."""

from fupin.core.tables import BOOL, NUMBER, Column, Table

from .models import Level, Region

COLUMNS = [
    Column("代码", "code", width=15, help="12位统计用区划代码"),
    Column("名称", "name", width=20),
    Column("级别", "level", choices=dict(Level.choices), help="省、市、县、乡镇、村，或 1-5；留空按代码推断"),
    Column("上级代码", "parent_id", width=15, help="留空按代码推断"),
    Column("贫困村", "is_poor_village", BOOL, help="是 / 否，仅村级"),
    Column("出列年度", "exit_year", NUMBER),
    Column("城乡分类代码", "urban_rural_code", width=14, help="111、112、121、122、123、210、220"),
    Column("有效", "active", BOOL),
]

regions = Table("行政区划", Region, COLUMNS, order_by=("code",))
