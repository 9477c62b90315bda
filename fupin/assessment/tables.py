"""List and export columns of the sample."""

from fupin.core.tables import DATE, NUMBER, Column, Table
from fupin.regions.models import Level

from .choices import HouseholdStratum, VillageStratum
from .models import SampleHousehold

samples = Table("考核评估抽样户", SampleHousehold, [
    Column("乡镇", "village_id", region_level=Level.TOWNSHIP),
    Column("村", "village_id", region_level=Level.VILLAGE),
    Column("村层", "sample_village__stratum", choices=dict(VillageStratum.choices)),
    Column("户编号", "household__number", width=20),
    Column("户主", "household__head_name"),
    Column("户层", "stratum", choices=dict(HouseholdStratum.choices)),
    Column("抽中顺序", "position", NUMBER),
    Column("人口数", "people", NUMBER),
    Column("随机种子", "assessment__seed", width=18, transform=str),
    Column("调查日期", "sheet__surveyed_on", DATE),
], order_by=("township_code", "village_id", "stratum", "position"))
