"""The monitoring parameters with their defaults: the figures migration 0002 installed (frozen in
0002_defaults.json), and what the code reads where no parameter row applies. Rules and procedure definitions are
data installed from that JSON and edited in the pages; they are not repeated here.

Sources: docs/domain-facts.md §2.2 (monitoring content, procedure, risk elimination) and §2.4 (department warning
rules such as self-paid medical costs above 40% of income). The thresholds are configuration defaults to be
checked against the province's own documents.
"""

# (code, name, default value, unit, note); administrators set them per region and year in the pages.
PARAMETERS = [
    ("income_drop_pct", "收入大幅下降幅度", 30, "%", "人均纯收入较上年下降超过该比例即预警"),
    ("medical_amount", "大额合规自付医疗支出", 20000, "元", "家庭年度合规自付医疗支出超过该金额即预警"),
    ("medical_share_limit", "医疗自付占收入比例", 40, "%", "合规自付医疗支出占家庭纯收入超过该比例即预警"),
    ("event_amount", "风险事件大额损失", 10000, "元", "一年内灾害、事故等损失与刚性支出合计超过该金额即预警"),
    ("verify_days", "入户核实时限", 5, "天", "预警或线索下发后村级完成入户核实的天数"),
    ("elimination_stable_months", "风险消除收入稳定期", 6, "个月", "纳入监测后收入持续稳定的最短时间（原则上不少于半年）"),
    ("max_income", "人均纯收入合理上限", 100000, "元", "逻辑校验：人均纯收入超过该值视为异常"),
]
# The parameters 0006_severity_bands installed (frozen in 0006_severity_bands.json): the 较重/严重 thresholds of the
# default rules and the cap on the medical self-pay share of in-policy costs (seed 001_0bb7bab9b073102f.txt: < 10 %).
GRADING_PARAMETERS = [
    ("income_gap_heavier_pct", "收入低于监测范围较重幅度", 15, "%", "人均纯收入低于监测范围超过该比例的预警为较重"),
    ("income_drop_heavier_pct", "收入下降较重幅度", 50, "%", "人均纯收入较上年下降超过该比例的预警为较重"),
    ("medical_amount_severe", "大额医疗自付严重金额", 50000, "元", "合规自付医疗支出达到该金额的预警为严重"),
    ("medical_share_severe", "医疗自付占收入严重比例", 100, "%", "合规自付医疗支出达到家庭纯收入该比例的预警为严重"),
    ("event_amount_severe", "风险事件严重损失", 50000, "元", "灾害、事故等损失与刚性支出合计达到该金额的预警为严重"),
    ("medical_self_pay_cap", "合规自付医疗费用占比上限", 10, "%", "个人负担政策范围内医疗费用占政策范围内总费用的上限"),
    ("medical_self_pay_heavier", "合规自付医疗费用占比较重线", 30, "%", "超过该比例的预警为较重"),
]
# The parameters 0008_policy_ages installed (frozen in 0008_policy_ages.json, with their sources): the ages the
# exit and risk-elimination checks (``procedures.policy``) and the engine's member facts read, and the risk-event
# window (docs/domain-facts.md §2.2, §3.3, §3.7).
POLICY_PARAMETERS = [
    ("school_age_min", "义务教育适龄下限", 6, "周岁", "当年9月1日满该周岁起属义务教育适龄（含）"),
    ("school_age_max", "义务教育适龄上限", 15, "周岁", "当年9月1日不超过该周岁属义务教育适龄（含）"),
    ("labour_age_min", "劳动年龄下限", 16, "周岁", "年末满该周岁起属劳动年龄，亦为居民养老保险缴费年龄起点"),
    ("labour_age_max", "劳动年龄上限", 60, "周岁", "年末满该周岁即不再属劳动年龄（不含）"),
    ("event_window_days", "风险事件统计期", 365, "天", "风险事件、死亡减员计入监测的最近天数"),
]
# code → default value: what the code reads where no parameter row applies (one deleted for every region).
DEFAULTS = {code: value for code, _name, value, _unit, _note in PARAMETERS + GRADING_PARAMETERS + POLICY_PARAMETERS}
# The parameters the code itself reads (the others appear in rule conditions as :code).
VERIFY_DAYS = "verify_days"
ELIMINATION_MONTHS = "elimination_stable_months"
MEDICAL_SELF_PAY_CAP = "medical_self_pay_cap"
EVENT_WINDOW_DAYS = "event_window_days"
