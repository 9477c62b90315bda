"""Comparison rules (比对规则): each one a declared, set-based query — never a loop over rows.

A rule is one SELECT in DuckDB's SQL dialect over three named relations, the same for every engine:

``register_households``  household_id, number, village_code, status, category, in_register (status counts as
                         registered: 未脱贫/已脱贫/返贫/新识别)
``register_members``     member_id, household_id, id_number, name, sex, birth_date, age (full years on the
                         reference date), relation, schooling, health (comma-separated codes), disability_cert,
                         basic_medical_insurance, on_dibao, on_tekun — only members currently in the register
                         (``active``); removed members are not there at all
``dataset``              dataset_id, row_no, id_number, name and the kind's own fields (typed: text, DATE, DOUBLE)

It returns ``household_id`` and, for rules about a person, ``member_id``; ``dataset_id`` and ``row_no`` point at
the evidence row when there is one; every other column is evidence, labelled by the kind's field labels or the
rule's ``labels``. ``$name`` placeholders take the rule's parameters (and ``$reference_date``). Hits outside
registered households (``in_register``) are dropped by the engine, so a rule need not join households for that.

The same text runs in DuckDB here and transpiles with SQLGlot to Spark SQL (``transpile``) for a province or
national platform; ``tests/test_rules.py`` checks every built-in rule does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

from fupin.monitoring import planning
from fupin.monitoring.defaults import DEFAULTS, MEDICAL_SELF_PAY_CAP
from fupin.procedures import policy
from fupin.registry.choices import HouseGrade

from .models import CustomRule

RELATIONS = ("register_households", "register_members", "dataset")
OUTPUT_KEYS = ("household_id", "member_id", "dataset_id", "row_no")
PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")

MEMBER, HOUSEHOLD = "member", "household"

# Common evidence columns; a rule adds its own in ``labels``.
LABELS = {
    "dataset_name": "部门数据中的姓名",
    "age": "年龄（截至数据日期）",
    "category": "贫困户属性代码",
    "household_status": "户状态代码",
}


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    kind: str | None  # the dataset kind whose data sets fill ``dataset``; None: register only
    subject: str  # MEMBER or HOUSEHOLD
    sql: str
    description: str
    handling: str  # what the village is expected to do when the suspect is confirmed
    params: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    catalogue: str = ""  # the code idea of the national 疑点 catalogue (SW, CL …)
    # parameter name → monitoring parameter code: the value configured there (per year and region) is the default,
    # so a comparison rule and the monitoring rule on the same policy figure use one threshold.
    configured: dict = field(default_factory=dict)

    def parameter_names(self) -> set[str]:
        return set(PARAM.findall(self.sql))

    def label(self, column: str, kind_labels: dict[str, str]) -> str:
        return self.labels.get(column) or kind_labels.get(column) or LABELS.get(column) or column


# --- shapes shared by several rules (one definition, many rules) -----------------------------------------------

def _present(condition: str = "TRUE", extra: str = "", household: bool = False) -> str:
    """A registered member appears in the data set (rows meeting ``condition``). The household relation is joined
    only when the condition needs it: every hit is kept to registered households afterwards anyway, and the big
    join stays the data set against the members alone."""
    join = "\nJOIN register_households AS h ON h.household_id = m.household_id" if household else ""
    return f"""
SELECT m.household_id, m.member_id, d.dataset_id, d.row_no, d.name AS dataset_name{extra}
FROM dataset AS d
JOIN register_members AS m ON m.id_number = d.id_number{join}
WHERE {condition}"""


def _absent(member_condition: str, dataset_condition: str = "TRUE", extra: str = "") -> str:
    """A registered member meeting ``member_condition`` has no data-set row meeting ``dataset_condition``."""
    return f"""
SELECT m.household_id, m.member_id{extra}
FROM register_members AS m
JOIN register_households AS h ON h.household_id = m.household_id
LEFT JOIN (SELECT DISTINCT id_number FROM dataset WHERE {dataset_condition}) AS d ON d.id_number = m.id_number
WHERE h.in_register AND d.id_number IS NULL AND ({member_condition})"""


def _benefit_unrecorded(flag: str, category: str, extra: str) -> str:
    """Receives a civil-affairs benefit by the department's list, while the register neither flags the member nor
    gives the household the matching 贫困户属性."""
    return _present(f"NOT m.{flag} AND COALESCE(h.category, '') <> '{category}'", ", h.category" + extra,
                    household=True)


# A settlement's self-paid in-policy cost: the 政策范围内个人自付 column, or the 合规自付 one where only that is given.
SELF_PAY = "COALESCE(d.in_policy_self_pay, d.out_of_pocket, 0)"

# Words in a status column that mean the record no longer holds.
ENDED = "注销|吊销|撤销|终止|停保|暂停|中止|退保|报废|转出|迁出|死亡|毕业|辍学|休学|停发|退出"

BUILTIN_RULES: tuple[Rule, ...] = (
    Rule(
        "deceased_registered", "死亡人员仍在册", "death", MEMBER,
        _present(extra=", d.death_date"),
        "公安、民政或卫健登记已死亡的人员，仍是在册贫困户的在册成员。",
        "入户核实后办理成员自然减员；户内已无在册成员的，按程序注销该户。",
        catalogue="SW",
    ),
    Rule(
        "vehicle_owner", "家庭成员名下有机动车", "vehicle", MEMBER,
        _present(
            f"NOT regexp_matches(COALESCE(d.vehicle_status, ''), '{ENDED}') "
            "AND NOT regexp_matches(COALESCE(d.vehicle_type, ''), '三轮|低速|拖拉机|摩托|农用') "
            "AND (NOT regexp_matches(COALESCE(d.use_nature, ''), '营运') OR regexp_matches(d.use_nature, '非营运'))",
            ", d.plate_number, d.vehicle_type, d.use_nature, d.brand, d.register_date",
        ),
        "在册成员名下登记有非营运机动车（不含三轮、低速货车、拖拉机、摩托车等生产生活用车）。",
        "核实车辆价值、用途和实际所有人；确属不符合识别标准的，按程序清退（错评）。",
        catalogue="CL",
    ),
    Rule(
        "business_owner", "家庭成员登记有市场主体", "business", MEMBER,
        _present(
            f"NOT regexp_matches(COALESCE(d.business_status, ''), '{ENDED}')",
            ", d.business_name, d.credit_code, d.role, d.business_status, d.registered_capital",
        ),
        "在册成员是存续企业或个体工商户的法定代表人、经营者或出资人。",
        "核实是否实际经营及经营收入；确属不符合识别标准的，按程序清退（错评）。",
        catalogue="GS",
    ),
    Rule(
        "property_owner", "家庭成员在城镇有商品房或商铺", "real_estate", MEMBER,
        _present(
            "NOT regexp_matches(COALESCE(d.property_type, '') || COALESCE(d.usage, ''), '宅基地|自建|农村村民')",
            ", d.property_address, d.usage, d.property_type, d.area",
        ),
        "在册成员名下登记有城镇商品房、商铺等房产（不含农村宅基地自建房）。",
        "核实房产来源、用途和家庭收入；确属不符合识别标准的，按程序清退（错评）。",
        catalogue="SPF",
    ),
    Rule(
        "public_employee", "家庭成员为财政供养人员", "public_employee", MEMBER,
        _present(extra=", d.employer, d.position, d.payroll_type, d.monthly_salary"),
        "在册成员在财政供养人员名单中（机关事业单位在编在岗或财政发放工资）。",
        "核实任职和收入情况；确属不符合识别标准的，按程序清退（错评），并查明是否优亲厚友。",
        catalogue="CZGY",
    ),
    Rule(
        "not_insured", "未参加基本医疗保险", "medical_insurance", MEMBER,
        _absent(
            "m.birth_date <= $reference_date",
            f"NOT regexp_matches(COALESCE(insured_status, ''), '{ENDED}')",
            ", CASE WHEN m.basic_medical_insurance THEN '是' ELSE '否' END AS register_insured",
        ),
        "在册成员不在医保部门的有效参保名单中。",
        "动员参保并落实资助参保政策；已在外地或以职工身份参保的，注明参保地。",
        labels={"register_insured": "档案登记已参保"},
        catalogue="CB",
    ),
    Rule(
        "large_medical_expense", "大额医疗费用个人自付", "hospital_bill", MEMBER,
        """
SELECT m.household_id, m.member_id, MIN(d.dataset_id) AS dataset_id, MIN(d.row_no) AS row_no,
       COUNT(*) AS visits, ROUND(SUM(COALESCE(d.out_of_pocket, 0)), 2) AS out_of_pocket_total,
       ROUND(SUM(COALESCE(d.total_cost, 0)), 2) AS total_cost_total
FROM dataset AS d
JOIN register_members AS m ON m.id_number = d.id_number
GROUP BY m.household_id, m.member_id
HAVING SUM(COALESCE(d.out_of_pocket, 0)) >= $min_out_of_pocket""",
        "在册成员在医保结算记录中个人自付合计达到设定金额（默认 10000 元，可调整），有因病返贫致贫风险。",
        "核实医疗费用负担，落实医疗救助等政策，符合条件的纳入防返贫监测。",
        params={"min_out_of_pocket": 10000},
        labels={"visits": "结算次数", "out_of_pocket_total": "个人自付合计（元）", "total_cost_total": "医疗总费用合计（元）"},
    ),
    Rule(
        "medical_self_pay_share", "合规自付医疗费用占政策范围内费用比例超过上限", "hospital_bill", MEMBER,
        f"""
SELECT m.household_id, m.member_id, MIN(d.dataset_id) AS dataset_id, MIN(d.row_no) AS row_no,
       COUNT(*) AS visits, ROUND(SUM({SELF_PAY}), 2) AS self_pay_total,
       ROUND(SUM(d.in_policy_cost), 2) AS in_policy_total,
       ROUND(SUM({SELF_PAY}) * 100.0 / SUM(d.in_policy_cost), 2) AS self_pay_share_pct
FROM dataset AS d
JOIN register_members AS m ON m.id_number = d.id_number
WHERE d.in_policy_cost > 0
GROUP BY m.household_id, m.member_id
HAVING SUM({SELF_PAY}) * 100.0 / SUM(d.in_policy_cost) > $cap""",
        "在册成员在医保结算记录中个人负担的合规自付费用占政策范围内医疗总费用的比例超过上限（监测参数“合规自付医疗费用占比上限”，"
        "默认10%：个人累计负担政策范围内医疗费用原则上低于10%）。",
        "核实基本医保、大病保险、医疗救助等是否落实到位，补齐应享未享的报销和救助；符合条件的纳入防返贫监测。",
        params={"cap": DEFAULTS[MEDICAL_SELF_PAY_CAP]},
        configured={"cap": MEDICAL_SELF_PAY_CAP},
        labels={"visits": "结算次数", "self_pay_total": "合规自付合计（元）", "in_policy_total": "政策范围内费用合计（元）",
                "self_pay_share_pct": "合规自付占政策范围内费用（%）"},
    ),
    Rule(
        "school_age_not_enrolled", "义务教育适龄儿童不在学籍", "school_enrolment", MEMBER,
        _absent(
            "m.age BETWEEN $min_age AND $max_age",
            f"NOT regexp_matches(COALESCE(student_status, ''), '{ENDED}')",
            ", m.age, m.schooling",
        ),
        "在册成员处于义务教育年龄（监测参数“义务教育适龄下限/上限”，默认 6 至 15 周岁），但不在教育部门的在读学籍名单中。",
        "入户核实是否失学辍学并落实控辍保学；在外地就读或因身体原因不能就学的，注明情况。",
        params={"min_age": DEFAULTS[policy.SCHOOL_AGE_MIN], "max_age": DEFAULTS[policy.SCHOOL_AGE_MAX]},
        configured={"min_age": policy.SCHOOL_AGE_MIN, "max_age": policy.SCHOOL_AGE_MAX},
        labels={"schooling": "档案在校生状况代码"},
        catalogue="CX",
    ),
    Rule(
        "dangerous_house", "住房为C级或D级危房", "dangerous_house", HOUSEHOLD,
        _present(
            f"regexp_matches(upper(trim(COALESCE(d.grade, ''))), '^[{''.join(HouseGrade.DANGEROUS)}]') "
            "AND NOT regexp_matches(COALESCE(d.renovation, ''), '已改造|已完成|竣工|已拆除|已搬迁')",
            ", d.grade, d.address, d.appraisal_date, d.renovation",
        ),
        "住建部门鉴定为C级（局部危房）或D级（整幢危房）且未完成改造的住房，属于在册贫困户成员。",
        "纳入危房改造或采取其他住房安全保障措施，改造完成后上传验收材料。",
        catalogue="WF",
    ),
    Rule(
        "dibao_not_received", "低保户无人享受低保", "dibao", HOUSEHOLD,
        """
SELECT h.household_id, h.category, CASE WHEN f.household_id IS NULL THEN '否' ELSE '是' END AS member_flagged
FROM register_households AS h
LEFT JOIN (SELECT DISTINCT household_id FROM register_members WHERE on_dibao) AS f
  ON f.household_id = h.household_id
LEFT JOIN (
  SELECT DISTINCT m.household_id FROM register_members AS m JOIN dataset AS d ON d.id_number = m.id_number
) AS c ON c.household_id = h.household_id
WHERE h.in_register AND (h.category = '2' OR f.household_id IS NOT NULL) AND c.household_id IS NULL""",
        "档案为低保贫困户或有成员登记享受低保，但民政低保名单中该户无人享受（应享未享或档案未更新）。",
        "与民政部门核实：符合条件的协助申请纳入低保；已退出低保的，更新档案属性和成员低保标识。",
        labels={"member_flagged": "档案有成员标注享受低保"},
        catalogue="DB",
    ),
    Rule(
        "dibao_unrecorded", "享受低保但档案未标注", "dibao", MEMBER,
        _benefit_unrecorded("on_dibao", "2", ", d.dibao_type, d.amount, d.start_date"),
        "在册成员在民政低保名单中，但档案既未标注该成员享受低保，贫困户属性也不是低保贫困户。",
        "核实后更新成员低保标识和贫困户属性。",
        catalogue="DB",
    ),
    Rule(
        "tekun_unrecorded", "特困供养但档案未标注", "tekun", MEMBER,
        _benefit_unrecorded("on_tekun", "3", ", d.support_type, d.amount, d.start_date"),
        "在册成员在民政特困供养名单中，但档案既未标注特困供养，贫困户属性也不是特困供养贫困户。",
        "核实后更新成员特困供养标识和贫困户属性。",
    ),
    Rule(
        "disability_unrecorded", "持证残疾人档案未登记残疾", "disability", MEMBER,
        _present(
            "NOT list_contains(string_split(COALESCE(m.health, ''), ','), '4') OR COALESCE(m.disability_cert, '') = ''",
            ", d.cert_number, d.disability_category, d.disability_grade",
        ),
        "在册成员持有残疾人证，但档案健康状况未登记残疾或未填残疾证号。",
        "核实后补录健康状况和残疾证号，落实残疾人两项补贴等政策。",
        catalogue="CJ",
    ),
    Rule(
        "duplicate_registration", "一人在两地建档立卡", "poverty_register", MEMBER,
        _present(
            "COALESCE(d.household_number, '') <> h.number AND NOT starts_with(COALESCE(d.region_code, ''), h.village_code)",
            ", d.household_number, d.region_code, d.region_name", household=True,
        ),
        "在册成员同时出现在其他地区的建档立卡（或监测对象）名单中，属于另一户。",
        "核实实际户籍和居住地，与对方地区协商只保留一处登记（重复识别）。",
        labels={"household_number": "对方户编号", "region_code": "对方区划代码", "region_name": "对方所在地"},
        catalogue="CF",
    ),
    Rule(
        "hukou_missing", "户籍信息中查无此人", "household_registration", MEMBER,
        _absent("TRUE", f"NOT regexp_matches(COALESCE(hukou_status, ''), '{ENDED}')"),
        "在册成员的证件号码不在公安户籍人口信息中（或户籍已注销、迁出）。",
        "核实是否空挂户、户籍已迁出或证件号码登记有误，按实际情况更正或减员。",
        catalogue="KG",
    ),
)

BUILTIN_BY_CODE = {rule.code: rule for rule in BUILTIN_RULES}


# --- administrators' rules ---------------------------------------------------------------------------------------

MEMBER_COLUMNS = ("member_id", "household_id", "id_number", "name", "sex", "birth_date", "age", "relation",
                  "schooling", "health", "disability_cert", "basic_medical_insurance", "on_dibao", "on_tekun")
HOUSEHOLD_COLUMNS = ("household_id", "number", "village_code", "status", "category", "in_register")
DATASET_COLUMNS = ("dataset_id", "row_no", "id_number", "name")


def compile_custom(custom) -> Rule:
    """A CustomRule as a Rule: the built-in "present" or "absent" shape with the administrator's condition."""
    fields = [name for name in custom.kind.fields.values_list("name", flat=True) if name not in ("id_number", "name")]
    condition = custom.condition.strip() or "TRUE"
    if custom.mode == "absent":
        sql = _absent(condition)
    else:
        sql = _present(condition, "".join(f", d.{name}" for name in fields), household=True)
    return Rule(custom.code, custom.name, custom.kind.code, MEMBER, sql, custom.description, custom.handling)


def custom_rules(kind_codes=None) -> list[Rule]:
    queryset = CustomRule.objects.filter(active=True, kind__active=True).select_related("kind")
    if kind_codes is not None:
        queryset = queryset.filter(kind__code__in=kind_codes)
    return [compile_custom(custom) for custom in queryset]


def all_rules() -> list[Rule]:
    return [*BUILTIN_RULES, *custom_rules()]


def get(code: str) -> Rule:
    if code in BUILTIN_BY_CODE:
        return BUILTIN_BY_CODE[code]
    custom = CustomRule.objects.filter(code=code, active=True).select_related("kind").first()
    if custom is None:
        raise KeyError(f"没有代码为 {code} 的比对规则")
    return compile_custom(custom)


def find(code: str) -> Rule | None:
    try:
        return get(code)
    except KeyError:
        return None


def names() -> dict[str, str]:
    """code → 疑点名称 for every rule, retired custom rules included (their suspects still need a name)."""
    return {**dict(CustomRule.objects.values_list("code", "name")), **{r.code: r.name for r in BUILTIN_RULES}}


def for_kinds(kind_codes) -> list[Rule]:
    kind_codes = set(kind_codes)
    return [rule for rule in BUILTIN_RULES if rule.kind in kind_codes] + custom_rules(kind_codes)


def check_condition(condition: str, mode: str, kind_fields: list[str]) -> list[str]:
    """Problems with an administrator's condition: one boolean expression over the allowed columns — no
    statements, subqueries or aggregates — that DuckDB can plan against the relations' real column types."""
    text = condition.strip()
    if not text:
        return []
    try:
        expression = sqlglot.parse_one(text, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        return [f"条件语法错误：{str(exc).splitlines()[0]}"]
    except sqlglot.errors.TokenError:
        return ["条件语法错误：请检查引号或注释是否成对闭合"]
    if isinstance(expression, (exp.Query, exp.Command, exp.DDL, exp.DML)) or expression.find(exp.Subquery, exp.Select):
        return ["条件只能是一个表达式，不能包含语句或子查询"]
    if expression.find(exp.AggFunc, exp.Window):
        return ["条件中不能使用聚合或窗口函数"]
    allowed = {"m": set(MEMBER_COLUMNS), "h": set(HOUSEHOLD_COLUMNS)}
    if mode != "absent":
        allowed["d"] = set(DATASET_COLUMNS) | set(kind_fields)
    problems = []
    for column in expression.find_all(exp.Column):
        if column.table not in allowed:
            problems.append(f"“{column.sql()}”：请写成 {'、'.join(t + '.字段' for t in allowed)}")
        elif column.name not in allowed[column.table]:
            problems.append(f"“{column.sql()}”：没有这个字段")
    return problems


def parse(rule: Rule) -> exp.Expression:
    return sqlglot.parse_one(rule.sql, read="duckdb")


def check(rule: Rule) -> list[str]:
    """Problems with a rule's text: it must be one SELECT over the named relations returning household_id."""
    try:
        tree = parse(rule)
    except sqlglot.errors.ParseError as exc:
        return [f"SQL 语法错误：{exc}"]
    except sqlglot.errors.TokenError:
        return ["SQL 语法错误：请检查引号或注释是否成对闭合"]
    problems = []
    if not isinstance(tree, exp.Select):
        problems.append("规则必须是一条 SELECT 语句")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    unknown = {t.name for t in tree.find_all(exp.Table)} - set(RELATIONS) - ctes
    if unknown:
        problems.append(f"只能使用 {', '.join(RELATIONS)}，不能使用 {', '.join(sorted(unknown))}")
    if "household_id" not in tree.named_selects:
        problems.append("结果必须包含 household_id 列")
    if rule.subject == MEMBER and "member_id" not in tree.named_selects:
        problems.append("针对成员的规则结果必须包含 member_id 列")
    missing = rule.parameter_names() - set(rule.params) - {"reference_date"}
    if missing:
        problems.append(f"参数没有默认值：{', '.join(sorted(missing))}")
    return problems


def configured_params(rule: Rule, region_code: str, year: int) -> dict:
    """The rule's parameters as monitoring configures them for the region and year (``Rule.configured``)."""
    return {name: float(planning.parameter(code, year, region_code)) for name, code in rule.configured.items()}


def transpile(rule: Rule, dialect: str = "spark") -> str:
    """The rule in another engine's SQL (``spark``, ``postgres``, ``sqlite`` …); placeholders become ``:name``."""
    return sqlglot.transpile(rule.sql, read="duckdb", write=dialect, pretty=True)[0]
