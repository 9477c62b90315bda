"""Registry list columns: the household and member exports, and the import template, which reads the same
household and member columns (an export with full ID numbers is a valid import file).
"""

from fupin.core.tables import BOOL, DATE, DATETIME, NUMBER, Column, Table, mask_phone
from fupin.regions.models import Level

from .models import DuplicateIdReport, Household, Member

# Household columns in import-template order; each also appears, through ``household__``, on the member export.
HOUSEHOLD_COLUMNS = [
    Column("户编号", "number", width=20, help="全县唯一：所属村12位区划代码加4至8位顺序号"),
    Column("村代码", "village_id", width=15, help="所属村的12位统计用区划代码"),
    Column("村民小组", "group_name"),
    Column("家庭住址", "address", width=26),
    Column("联系电话", "phone", sensitive=True, masker=mask_phone, width=14,
           help="11位手机号码，或带区号的固定电话（如 0375-1234567）"),
    Column("开户银行", "bank_name", width=16),
    Column("银行账号", "bank_account", sensitive=True, width=22, help="16至19位数字"),
    Column("贫困户属性", "category", code_table="household_category", width=14),
    Column("户状态", "status", code_table="household_status", help="建档立卡户状态；留空为一般农户"),
    Column("识别标准", "identification_standard", code_table="identification_standard"),
    Column("识别年度", "identification_year", NUMBER),
    Column("脱贫年度", "exit_year", NUMBER),
    Column("主要致贫原因", "main_cause", code_table="poverty_cause", width=14),
    Column("其他致贫原因", "other_causes", code_table="poverty_cause", multi=True, width=16,
           help="最多两项，用顿号或逗号分隔，不能与主要致贫原因相同"),
    Column("享受政策", "enjoys_policy", BOOL),
    Column("耕地面积（亩）", "cultivated_area", NUMBER),
    Column("林地面积（亩）", "forest_area", NUMBER),
    Column("住房面积（㎡）", "house_area", NUMBER),
    Column("入户路类型", "road_type", code_table="road_type"),
    Column("主要燃料类型", "fuel_type", code_table="fuel_type"),
    Column("与村主干路距离（公里）", "distance_to_road_km", NUMBER),
    Column("通生产用电", "has_production_power", BOOL),
    Column("通生活用电", "has_living_power", BOOL),
    Column("有卫生厕所", "has_sanitary_toilet", BOOL),
    Column("加入农民专业合作社", "in_cooperative", BOOL),
]

# Member columns in import-template order.
MEMBER_COLUMNS = [
    Column("姓名", "name"),
    Column("证件号码", "id_number", sensitive=True, width=22,
           help="18位居民身份证号码（15位旧号码自动升级）；请把该列设为文本，否则 Excel 会丢失后几位"),
    Column("与户主关系", "relation", code_table="relation", help="每户有且只有一名户主"),
    Column("民族", "ethnicity", code_table="ethnicity"),
    Column("政治面貌", "political_status", code_table="political_status"),
    Column("文化程度", "education", code_table="education", width=14, help="非在校生填写；与在校生状况只能填写一项"),
    Column("在校生状况", "schooling", code_table="schooling", width=14, help="在校生填写；与文化程度只能填写一项"),
    # Health per person, and the disability certificate that tells it, only in a full (audited) export.
    Column("健康状况", "health", code_table="health", multi=True, full_only=True, width=14,
           help="可多选，用顿号或逗号分隔"),
    Column("残疾证号", "disability_cert", sensitive=True, full_only=True, width=24,
           help="20位残疾人证号，前18位应与证件号码一致"),
    Column("劳动技能", "labour_skill", code_table="labour_skill", width=18),
    Column("务工状况", "work_location", code_table="work_location", width=14),
    Column("务工时间（月）", "work_months", NUMBER, help="0至12"),
    Column("参加基本医疗保险", "basic_medical_insurance", BOOL),
    Column("参加大病保险", "serious_illness_insurance", BOOL),
    Column("参加养老保险", "pension_insurance", BOOL),
    Column("享受低保", "on_dibao", BOOL),
    Column("特困供养人员", "on_tekun", BOOL),
]

# Read-only columns that help a person reading an export; an import ignores them.
TOWNSHIP = Column("乡镇", "village_id", region_level=Level.TOWNSHIP)
VILLAGE = Column("村", "village_id", region_level=Level.VILLAGE)
# 户类型 follows the 户状态 and 监测对象类别 the monitoring procedures (registry.services), so neither is imported.
POPULATION_COLUMNS = [
    Column("户类型", "household_type", code_table="household_type", width=22),
    Column("监测对象类别", "monitoring_kind", code_table="monitoring_kind", width=14),
]


def _through_household(columns):
    return [c.prefixed("household__") for c in columns]


households = Table(
    "贫困户",
    Household,
    [
        HOUSEHOLD_COLUMNS[0],
        TOWNSHIP,
        VILLAGE,
        *HOUSEHOLD_COLUMNS[1:2],
        Column("户主姓名", "head_name"),
        Column("户主证件号码", "head_id_number", sensitive=True, width=22),
        Column("家庭人口数", "size", NUMBER),
        *POPULATION_COLUMNS,
        *HOUSEHOLD_COLUMNS[2:],
        Column("建档时间", "created", DATETIME),
        Column("更新时间", "updated", DATETIME),
    ],
    order_by=("village_id", "number"),
)

members = Table(
    "家庭成员",
    Member,
    [
        *_through_household(HOUSEHOLD_COLUMNS[:1]),
        *_through_household([TOWNSHIP, VILLAGE]),
        *_through_household(HOUSEHOLD_COLUMNS[1:2]),
        *_through_household(POPULATION_COLUMNS),
        *_through_household(HOUSEHOLD_COLUMNS[2:]),
        *MEMBER_COLUMNS,
        Column("性别", "sex", code_table="sex"),
        Column("出生日期", "birth_date", DATE),
        Column("在册", "active", BOOL),
        Column("减员原因", "removed_reason"),
    ],
    order_by=("household__village_id", "household__number", "relation", "birth_date", "pk"),
)

duplicate_reports = Table(
    "重复登记报告",
    DuplicateIdReport,
    [
        Column("证件号码（脱敏）", "id_number_masked", width=22),
        Column("申报姓名", "name"),
        Column("申报乡镇", "village_id", region_level=Level.TOWNSHIP),
        Column("申报村", "village_id", region_level=Level.VILLAGE),
        Column("申报户编号", "household_number", width=20),
        Column("已登记乡镇", "existing_village_id", region_level=Level.TOWNSHIP),
        Column("已登记村", "existing_village_id", region_level=Level.VILLAGE),
        Column("已登记户编号", "existing_household__number", width=20),
        Column("已登记户主", "existing_household__head_name"),
        Column("已登记人员", "member__name"),
        Column("申报次数", "attempts", NUMBER),
        Column("最近申报时间", "last_reported", DATETIME),
        Column("状态", "status", choices={k: str(v) for k, v in DuplicateIdReport.Status.choices}),
        Column("处理结果", "resolution", width=30),
        Column("处理时间", "resolved_at", DATETIME),
    ],
    order_by=("-last_reported", "-pk"),
)
