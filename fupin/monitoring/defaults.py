"""Defaults installed by this app's data migration; administrators change them in the pages afterwards.

Sources: docs/domain-facts.md §1.3 (the national data-quality checks), §2.2 (monitoring content, procedure,
risk elimination) and §2.4 (department warning rules such as self-paid medical costs above 40% of income). The
thresholds are configuration defaults to be checked against the province's own documents.
"""

from fupin.regions.models import Level

# (code, name, default value, unit, note): the parameters 0002_defaults installed (frozen in 0002_defaults.json);
# administrators set them per region and year afterwards.
PARAMETERS = [
    ("income_drop_pct", "收入大幅下降幅度", 30, "%", "人均纯收入较上年下降超过该比例即预警"),
    ("medical_amount", "大额合规自付医疗支出", 20000, "元", "家庭年度合规自付医疗支出超过该金额即预警"),
    ("medical_share_limit", "医疗自付占收入比例", 40, "%", "合规自付医疗支出占家庭纯收入超过该比例即预警"),
    ("event_amount", "风险事件大额损失", 10000, "元", "一年内灾害、事故等损失与刚性支出合计超过该金额即预警"),
    ("verify_days", "入户核实时限", 5, "天", "预警或线索下发后村级完成入户核实的天数"),
    ("elimination_stable_months", "风险消除收入稳定期", 6, "个月", "纳入监测后收入持续稳定的最短时间（原则上不少于半年）"),
    ("max_income", "人均纯收入合理上限", 100000, "元", "逻辑校验：人均纯收入超过该值视为异常"),
]
# code → default value: what the code reads where no parameter row applies (one deleted for every region).
DEFAULTS = {code: value for code, _name, value, _unit, _note in PARAMETERS}
# The parameters the code itself reads (the others appear in rule conditions as :code).
VERIFY_DAYS = "verify_days"
ELIMINATION_MONTHS = "elimination_stable_months"

# (code, name, condition, severity 1-3, risk type code, description)
MONITORING_RULES = [
    ("M01", "人均纯收入低于监测范围", "per_capita_income < monitoring_line", 2, "",
     "本年人均纯收入低于当年防返贫监测范围"),
    ("M02", "收入大幅下降", "income_change_pct <= -:income_drop_pct", 2, "07",
     "人均纯收入较上年下降超过设定比例"),
    ("M03", "大额医疗自付支出", "medical_out_of_pocket >= :medical_amount", 3, "01",
     "年度合规自付医疗支出超过设定金额"),
    ("M04", "医疗自付占收入比例过高", "medical_share_pct >= :medical_share_limit", 3, "01",
     "合规自付医疗支出占家庭纯收入比例超过设定值"),
    ("M05", "新发重大疾病或新增残疾", "illness_events + disability_events > 0", 2, "01",
     "近一年有成员新发重大疾病或新增残疾"),
    ("M06", "遭受自然灾害或意外事故",
     "disaster_events + accident_events > 0 AND event_amount >= :event_amount", 3, "02",
     "近一年遭受自然灾害或意外事故且损失较大"),
    ("M07", "家庭成员死亡", "deaths > 0", 2, "04", "本年有家庭成员死亡"),
    ("M08", "主要劳动力失业", "unemployment_events > 0", 2, "07", "近一年主要劳动力失业或务工中断"),
    ("M09", "两不愁三保障出现问题", "security_unmet > 0", 3, "10", "本年两不愁三保障及饮水安全核查有未达标项"),
]

# (code, name, condition, severity, description) — docs/domain-facts.md §1.3
QUALITY_RULES = [
    ("Q01", "致贫原因为因学但无在校生", "main_cause = '3' AND students = 0", 2, "主要致贫原因“因学”，家中无在校生"),
    ("Q02", "致贫原因为因病但成员均健康", "main_cause = '1' AND members_serious_illness + members_chronic = 0", 2,
     "主要致贫原因“因病”，但没有患大病或长期慢性病的成员"),
    ("Q03", "致贫原因为因残但无残疾成员", "main_cause = '2' AND members_disabled = 0", 2,
     "主要致贫原因“因残”，但没有残疾成员"),
    ("Q04", "低保贫困户无享受低保成员", "category = '2' AND members_on_dibao = 0", 2, "低保贫困户没有成员享受低保"),
    ("Q05", "一般贫困户有享受低保成员", "category = '1' AND members_on_dibao > 0", 1, "一般贫困户有成员享受低保"),
    ("Q06", "有务工人员但无工资性收入", "workers > 0 AND wage_income = 0", 2, "有成员务工月数大于0，但工资性收入为0"),
    ("Q07", "有工资性收入但无务工人员", "wage_income > 0 AND workers = 0", 1, "工资性收入大于0，但没有成员有务工时间"),
    ("Q08", "户主与配偶同性别", "head_spouse_same_sex = 1", 3, "户主与配偶性别相同"),
    ("Q09", "人均纯收入超出合理范围", "per_capita_income <= 0 OR per_capita_income > :max_income", 2,
     "人均纯收入小于等于0或超过合理上限"),
    ("Q10", "有生产经营性收入无生产经营性支出", "business_income > 0 AND business_costs = 0", 1,
     "有生产经营性收入，但生产经营性支出为0"),
    ("Q11", "无户主或多个户主", "heads <> 1", 3, "在册成员中户主人数不是1"),
    ("Q12", "特困供养户有劳动力", "category = '3' AND labourers > 0", 2, "特困供养贫困户有16至60岁的普通或技能劳动力"),
    ("Q13", "义务教育阶段适龄儿童未在校", "school_age_out > 0", 3, "6至15岁适龄儿童少年未在校（身体原因除外）"),
    ("Q14", "有成员未参加基本医疗保险", "uninsured > 0", 3, "在册成员未参加城乡居民或职工基本医疗保险"),
    ("Q15", "联系电话不是11位", "phone <> '' AND LENGTH(phone) <> 11", 1, "户联系电话不是11位手机号码"),
    ("Q16", "住房面积为空或为0", "house_area IS NULL OR house_area = 0", 1, "住房面积未填写或为0"),
    ("Q17", "缺少年度收支测算", "per_capita_income IS NULL AND status IN ('1', '2', '3', '4')", 2,
     "建档立卡户缺少该年度的收支测算"),
]

# kind → (name, description, [(step, actor level, deadline days, attachment kinds, notice days)])
PROCEDURES = {
    "monitoring": ("防返贫监测对象认定", "入户核实与民主评议、村内公示（不少于5天）、乡镇审核、县级审定；从发现风险线索到完成认定一般不超过15天", [
        ("入户核实与民主评议", Level.VILLAGE, 3, "survey", 0),
        ("村内公示", Level.VILLAGE, 6, "", 5),
        ("乡镇审核", Level.TOWNSHIP, 3, "", 0),
        ("县级审定", Level.COUNTY, 3, "", 0),
    ]),
    "elimination": ("风险消除", "入户核实与民主评议、村内公示（不少于5天）、乡镇审核、县级审定；标注帮扶消除或自然消除", [
        ("入户核实与民主评议", Level.VILLAGE, 5, "survey", 0),
        ("村内公示", Level.VILLAGE, 7, "", 5),
        ("乡镇审核", Level.TOWNSHIP, 5, "", 0),
        ("县级审定", Level.COUNTY, 5, "", 0),
    ]),
}
