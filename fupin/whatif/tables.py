"""List and export columns of the household change list; the head's ID number is masked, exports too (no full
export is offered: a scenario is an estimate, not a list to act on person by person)."""

from fupin.core.tables import NUMBER, Column, Table
from fupin.regions.models import Level

from .models import Outcome, ScenarioHousehold

households = Table("政策模拟影响户", ScenarioHousehold, [
    Column("乡镇", "village_id", region_level=Level.TOWNSHIP),
    Column("村", "village_id", region_level=Level.VILLAGE),
    Column("户编号", "household__number", width=22),
    Column("户主姓名", "household__head_name"),
    Column("户主证件号码", "household__head_id_number", sensitive=True, width=22),
    Column("家庭人口数", "size", NUMBER),
    Column("变化", "outcome", choices=dict(Outcome.choices), width=18),
    Column("人均纯收入（元）", "per_capita_income", NUMBER, width=16),
    Column("现行标准（元）", "before", NUMBER, width=14),
    Column("模拟标准（元）", "after", NUMBER, width=14),
    Column("现行触发规则", "rules_before", width=16),
    Column("模拟触发规则", "rules_after", width=16),
], order_by=("village_id", "outcome", "household_id"))
