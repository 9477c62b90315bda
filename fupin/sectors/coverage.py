"""应享未享: who should receive a policy and does not, by declared rules over a member-facts table.

The same engine shape as monitoring and comparison (docs/architecture.md): the register is loaded into a DuckDB
workspace by ``comparison.engine`` (``Workspace.load_register``, ``pull``), the sector records of the year are
pulled beside it, and ``member_facts`` / ``household_facts`` are views with the documented columns of ``FACTS``.
Each rule's condition is an SQL boolean expression over those columns, checked with SQLGlot against the grammar of
``monitoring.engine`` (its node list and predicates), and evaluated set-based in DuckDB; a hit keeps the values of
the columns its condition reads as its figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fupin.comparison.engine import Workspace, pull
from fupin.core.scope import code_range
from fupin.monitoring.engine import RULE_DIALECT, Condition, Fact
from fupin.monitoring.engine import validate as validate_condition
from fupin.procedures import policy
from fupin.regions.models import PREFIX_LENGTH, Level, Region
from fupin.registry.choices import Health, HouseholdStatus, Schooling

from .choices import (
    OPEN_DROPOUT,
    EnrolmentStatus,
    Policy,
    Stage,
    Subject,
    YuluStatus,
)
from .models import (
    DropoutCase,
    Enrolment,
    HospitalBill,
    HouseAppraisal,
    Relocation,
    Renovation,
    StudentStatus,
    WaterCheck,
    YuluApplication,
)

NUMBER, INTEGER, TEXT = "number", "integer", "text"


def _flag(sql: str) -> str:
    return f"CASE WHEN {sql} THEN 1 ELSE 0 END"


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# Registry 在校生状况 codes of 中职 / 高职高专, read as a 学段 where no student record of the year says otherwise.
SCHOOLING_STAGE = {Schooling.VOCATIONAL: Stage.VOCATIONAL, Schooling.HIGHER_VOCATIONAL: Stage.HIGHER_VOCATIONAL,
                   Schooling.UNDERGRADUATE: Stage.UNDERGRADUATE, Schooling.HIGH_SCHOOL: Stage.SENIOR,
                   Schooling.PRIMARY: Stage.PRIMARY, Schooling.GRADE_7: Stage.JUNIOR, Schooling.GRADE_8: Stage.JUNIOR,
                   Schooling.GRADE_9: Stage.JUNIOR}
_STAGE_FROM_SCHOOLING = "CASE m.schooling " + " ".join(
    f"WHEN '{code}' THEN '{stage}'" for code, stage in SCHOOLING_STAGE.items()) + " END"

_IN_SCHOOL = _flag(f"COALESCE(m.schooling, '') IN {_in(Schooling.IN_SCHOOL)}")

# Household columns (``h`` is the household relation with its sector aggregates); member columns read ``m`` too.
HOUSEHOLD_FACTS: tuple[Fact, ...] = (
    Fact("household_id", INTEGER, "户ID", "h.household_id"),
    Fact("village_code", TEXT, "所属村区划代码", "h.village_code"),
    Fact("household_number", TEXT, "户编号", "h.number"),
    Fact("status", TEXT, "户状态代码（1未脱贫 2已脱贫 3返贫 4新识别，一般农户为空）", "COALESCE(h.status, '')"),
    Fact("household_type", TEXT, "户类型代码（1一般农户 2脱贫户 3贫困户）", "h.household_type"),
    Fact("registered_poor", INTEGER, "建档立卡户（未脱贫、已脱贫、返贫、新识别；1是 0否）", "CAST(h.in_register AS INTEGER)"),
    Fact("monitored", INTEGER, "监测对象（1是 0否）", _flag("COALESCE(h.monitoring_kind, '') <> ''")),
    Fact("house_grade", TEXT, "危房等级（最近一次鉴定，无鉴定时取当年两不愁三保障核查）", "COALESCE(h.house_grade, '')"),
    Fact("renovated", INTEGER, "最近鉴定后有危房改造（1是 0否）", "h.renovated"),
    Fact("relocated", INTEGER, "已易地搬迁（1是 0否）", "h.relocated"),
    Fact("water_result", TEXT, "最近饮水核查结论（safe安全 basic基本安全 unsafe不安全，未核查为空）",
         "COALESCE(h.water_result, '')"),
)
MEMBER_FACTS: tuple[Fact, ...] = (
    Fact("member_id", INTEGER, "成员ID", "m.member_id"),
    *HOUSEHOLD_FACTS,
    Fact("age", INTEGER, "年龄（排查基准日）", "m.age"),
    Fact("school_age", INTEGER, "义务教育适龄（义务教育年龄参数；1是 0否）", "m.school_age"),
    Fact("pension_age", INTEGER, "城乡居民养老保险缴费年龄（劳动年龄参数；1是 0否）", "m.pension_age"),
    Fact("in_school", INTEGER, "在校（小学及以上；1是 0否）", _IN_SCHOOL),
    Fact("stage", TEXT, "学段（当年学籍，无学籍时按在校生状况：primary小学 junior初中 senior高中 vocational中职 "
         "higher_vocational高职 undergraduate本科）", f"COALESCE(m.stage, {_STAGE_FROM_SCHOOLING}, '')"),
    Fact("enrolled", INTEGER, "在读（当年学籍在读，或在校生状况为在校；1是 0否）", f"COALESCE(m.enrolled, {_IN_SCHOOL})"),
    Fact("excused", INTEGER, "因身体原因免于就学（患大病或残疾；1是 0否）",
         _flag(" OR ".join(f"COALESCE(m.health, '') LIKE '%{c}%'" for c in Health.EXCUSES_SCHOOL))),
    Fact("chronic", INTEGER, "长期慢性病（1是 0否）", _flag(f"COALESCE(m.health, '') LIKE '%{Health.CHRONIC}%'")),
    Fact("serious_illness", INTEGER, "患有大病（1是 0否）", _flag(f"COALESCE(m.health, '') LIKE '%{Health.SERIOUS_ILLNESS}%'")),
    Fact("disabled", INTEGER, "残疾（1是 0否）", _flag(f"COALESCE(m.health, '') LIKE '%{Health.DISABLED}%'")),
    Fact("basic_medical_insurance", INTEGER, "参加基本医疗保险（1是 0否）", "CAST(m.basic_medical_insurance AS INTEGER)"),
    Fact("serious_illness_insurance", INTEGER, "参加大病保险（1是 0否）", "CAST(m.serious_illness_insurance AS INTEGER)"),
    Fact("pension_insurance", INTEGER, "参加养老保险（1是 0否）", "CAST(m.pension_insurance AS INTEGER)"),
    Fact("on_dibao", INTEGER, "享受低保（档案标记或当年低保记录；1是 0否）", _flag("m.on_dibao OR m.p_dibao > 0")),
    Fact("on_tekun", INTEGER, "特困供养（档案标记或当年特困记录；1是 0否）", _flag("m.on_tekun OR m.p_tekun > 0")),
    Fact("pension_paid", INTEGER, "当年有代缴养老保险记录（1是 0否）", _flag("m.p_pension_paid > 0")),
    Fact("disability_living", INTEGER, "当年享受困难残疾人生活补贴（1是 0否）", _flag("m.p_disability_living > 0")),
    Fact("disability_care", INTEGER, "当年享受重度残疾人护理补贴（1是 0否）", _flag("m.p_disability_care > 0")),
    Fact("family_doctor", INTEGER, "当年有家庭医生签约（1是 0否）", _flag("m.p_family_doctor > 0")),
    Fact("chronic_cert", INTEGER, "持有效门诊慢性病证（1是 0否）", _flag("m.p_chronic_cert > 0")),
    Fact("yulu", INTEGER, "当年雨露计划已申请（未被驳回；1是 0否）", _flag("m.yulu > 0")),
    Fact("dropout_case", INTEGER, "有控辍保学记录（劝返中或当年办结；1是 0否）", _flag("m.dropout > 0")),
    Fact("bills_over_cap", INTEGER, "当年自付比例超过上限的住院费用笔数", "m.bills_over_cap"),
)
FACTS = {Subject.MEMBER: MEMBER_FACTS, Subject.HOUSEHOLD: HOUSEHOLD_FACTS}
KEYS = {"household_id", "village_code", "household_number", "member_id"}
RELATIONS = {Subject.MEMBER: "member_facts", Subject.HOUSEHOLD: "household_facts"}


def validate(text: str, subject: str = Subject.MEMBER) -> Condition:
    """Parse and check a condition against the facts of its subject; ConditionError names what is wrong (in
    Chinese). The grammar is monitoring's: comparisons, boolean logic, arithmetic and a few scalar functions."""
    return validate_condition(
        text, columns={f.name for f in FACTS[subject]}, fields="事实表字段说明",
        example="on_dibao = 1 AND pension_paid = 0", parameters=(),
        parameter_help="应享未享规则不使用参数，政策标准在“政策标准”中配置", empty="请填写条件")


@dataclass(frozen=True)
class RuleHit:
    rule: str
    household_id: int
    member_id: int | None
    village_code: str
    household_number: str
    figures: dict


def _county_ages(prefix: str, year: int) -> list[tuple[str, dt.date, dt.date, dt.date, dt.date]]:
    """Per county in scope: the 义务教育 and 劳动年龄 birth ranges of the year (``procedures.policy``)."""
    digits = PREFIX_LENGTH[Level.COUNTY]
    if len(prefix) >= digits:
        counties = [prefix[:digits]]
    else:
        low, high = code_range(prefix)
        counties = [c[:digits] for c in Region.objects.filter(level=Level.COUNTY, code__gte=low, code__lte=high)
                    .values_list("code", flat=True)]
    rows = []
    for county in counties:
        ages = policy.ages(year, county.ljust(12, "0"))
        rows.append((county, *ages.school_birth_range(year), *ages.labour_birth_range(year)))
    return rows


class Facts:
    """The member and household facts of one year over the households under a prefix, in a DuckDB workspace."""

    def __init__(self, prefix: str, year: int, reference_date: dt.date | None = None):
        self.prefix, self.year = prefix, year
        self.reference_date = reference_date or min(dt.date.today(), dt.date(year, 12, 31))
        self.workspace = Workspace()

    def __enter__(self):
        self.load()
        return self

    def __exit__(self, *exc):
        self.workspace.close()

    def _where(self, alias: str, column: str = "village_id") -> str:
        if not self.prefix:
            return "1 = 1"
        low, high = code_range(self.prefix)
        return f"{alias}.{column} BETWEEN '{low}' AND '{high}'"

    def load(self) -> None:
        ws, con, y = self.workspace, self.workspace.con, self.year
        ws.load_register(self.prefix, self.reference_date)
        first, last = f"'{y}-01-01'", f"'{y}-12-31'"
        scope = lambda a: self._where(a, "village_id")  # noqa: E731 — the sector tables' village column
        pull(con, "_household_more",
             f"SELECT h.id, h.household_type, h.monitoring_kind FROM registry_household h WHERE {scope('h')}",
             [("household_id", "BIGINT"), ("household_type", "VARCHAR"), ("monitoring_kind", "VARCHAR")])
        pull(con, "_member_more",
             "SELECT m.id, m.serious_illness_insurance, m.pension_insurance FROM registry_member m "
             f"JOIN registry_household h ON h.id = m.household_id WHERE m.active AND {scope('h')}",
             [("member_id", "BIGINT"), ("serious_illness_insurance", "BOOLEAN"), ("pension_insurance", "BOOLEAN")])
        pull(con, "_check",
             f"SELECT s.household_id, s.house_grade FROM registry_securitycheck s JOIN registry_household h "
             f"ON h.id = s.household_id WHERE s.year = {y} AND {scope('h')}",
             [("household_id", "BIGINT"), ("house_grade", "VARCHAR")])
        tables = {model: model._meta.db_table for model in (
            Enrolment, StudentStatus, YuluApplication, DropoutCase, HospitalBill, HouseAppraisal, Renovation,
            WaterCheck, Relocation)}
        pull(con, "_enrolment",
             f"SELECT e.member_id, e.household_id, e.policy FROM {tables[Enrolment]} e WHERE {scope('e')} "
             f"AND e.start <= {last} AND (e.\"end\" IS NULL OR e.\"end\" >= {first}) "
             f"AND (e.status <> '{EnrolmentStatus.ENDED}' OR e.\"end\" IS NOT NULL)",
             [("member_id", "BIGINT"), ("household_id", "BIGINT"), ("policy", "VARCHAR")])
        pull(con, "_student",
             f"SELECT s.member_id, s.stage, s.enrolled FROM {tables[StudentStatus]} s WHERE {scope('s')} AND s.year = {y}",
             [("member_id", "BIGINT"), ("stage", "VARCHAR"), ("enrolled", "BOOLEAN")])
        pull(con, "_yulu",
             f"SELECT a.member_id FROM {tables[YuluApplication]} a WHERE {scope('a')} AND a.year = {y} "
             f"AND a.status <> '{YuluStatus.REJECTED}'", [("member_id", "BIGINT")])
        pull(con, "_dropout",
             f"SELECT c.member_id FROM {tables[DropoutCase]} c WHERE {scope('c')} AND "
             f"(c.status IN {_in(OPEN_DROPOUT)} OR c.closed_on >= {first})", [("member_id", "BIGINT")])
        pull(con, "_bill",
             f"SELECT b.member_id FROM {tables[HospitalBill]} b WHERE {scope('b')} AND b.over_cap "
             f"AND b.discharged_on >= {first} AND b.discharged_on <= {last}", [("member_id", "BIGINT")])
        pull(con, "_appraisal",
             f"SELECT a.household_id, a.grade, CAST(a.appraised_on AS TEXT), a.id FROM {tables[HouseAppraisal]} a "
             f"WHERE {scope('a')} AND a.appraised_on <= {last}",
             [("household_id", "BIGINT"), ("grade", "VARCHAR"), ("appraised_on", "DATE"), ("id", "BIGINT")])
        pull(con, "_renovation",
             f"SELECT r.household_id, CAST(r.started_on AS TEXT) FROM {tables[Renovation]} r WHERE {scope('r')}",
             [("household_id", "BIGINT"), ("started_on", "DATE")])
        pull(con, "_water",
             f"SELECT w.household_id, w.result, CAST(w.checked_on AS TEXT), w.id FROM {tables[WaterCheck]} w "
             f"WHERE {scope('w')} AND w.checked_on <= {last}",
             [("household_id", "BIGINT"), ("result", "VARCHAR"), ("checked_on", "DATE"), ("id", "BIGINT")])
        pull(con, "_relocation",
             f"SELECT r.household_id FROM {tables[Relocation]} r WHERE {scope('r')} AND r.moved_on <= {last}",
             [("household_id", "BIGINT")])
        self._ages()
        self._views()

    def _ages(self) -> None:
        con = self.workspace.con
        con.execute("CREATE TABLE _ages (county_code VARCHAR, school_after DATE, school_until DATE, "
                    "labour_after DATE, labour_until DATE)")
        rows = _county_ages(self.prefix, self.year)
        if rows:
            con.executemany("INSERT INTO _ages VALUES (?, ?, ?, ?, ?)", rows)

    def _views(self) -> None:
        con = self.workspace.con
        off = _in(HouseholdStatus.OFF_REGISTER)
        policies = ", ".join(f"SUM(CASE WHEN policy = '{p}' THEN 1 ELSE 0 END) AS p_{p}" for p in Policy.values)
        con.execute(f"""
CREATE TEMP VIEW sector_households AS
WITH latest_appraisal AS (
  SELECT household_id, arg_max(grade, (appraised_on, id)) AS grade, max(appraised_on) AS appraised_on
  FROM _appraisal GROUP BY household_id),
latest_water AS (SELECT household_id, arg_max(result, (checked_on, id)) AS result FROM _water GROUP BY household_id)
SELECT h.*, x.household_type, x.monitoring_kind,
       COALESCE(NULLIF(a.grade, ''), NULLIF(c.house_grade, '')) AS house_grade,
       CASE WHEN EXISTS (SELECT 1 FROM _renovation r WHERE r.household_id = h.household_id
                         AND (a.appraised_on IS NULL OR r.started_on >= a.appraised_on)) THEN 1 ELSE 0 END AS renovated,
       CASE WHEN EXISTS (SELECT 1 FROM _relocation r WHERE r.household_id = h.household_id) THEN 1 ELSE 0 END
         AS relocated,
       w.result AS water_result
FROM register_households h
LEFT JOIN _household_more x ON x.household_id = h.household_id
LEFT JOIN latest_appraisal a ON a.household_id = h.household_id
LEFT JOIN _check c ON c.household_id = h.household_id
LEFT JOIN latest_water w ON w.household_id = h.household_id
WHERE COALESCE(h.status, '') NOT IN {off}""")
        con.execute(f"""
CREATE TEMP VIEW sector_members AS
WITH pol AS (SELECT member_id, {policies} FROM _enrolment WHERE member_id IS NOT NULL GROUP BY member_id),
hpol AS (SELECT household_id, {policies} FROM _enrolment WHERE member_id IS NULL GROUP BY household_id),
yulu AS (SELECT member_id, count(*) AS n FROM _yulu GROUP BY member_id),
dropout AS (SELECT member_id, count(*) AS n FROM _dropout GROUP BY member_id),
bills AS (SELECT member_id, count(*) AS n FROM _bill GROUP BY member_id)
SELECT m.*, x.serious_illness_insurance, x.pension_insurance, s.stage, CAST(s.enrolled AS INTEGER) AS enrolled,
       {', '.join(f'COALESCE(pol.p_{p}, 0) + COALESCE(hpol.p_{p}, 0) AS p_{p}' for p in Policy.values)},
       COALESCE(yulu.n, 0) AS yulu, COALESCE(dropout.n, 0) AS dropout, COALESCE(bills.n, 0) AS bills_over_cap,
       CASE WHEN m.birth_date > g.school_after AND m.birth_date <= g.school_until THEN 1 ELSE 0 END AS school_age,
       CASE WHEN m.birth_date > g.labour_after AND m.birth_date <= g.labour_until THEN 1 ELSE 0 END AS pension_age
FROM register_members m
JOIN sector_households hh ON hh.household_id = m.household_id
LEFT JOIN _member_more x ON x.member_id = m.member_id
LEFT JOIN _student s ON s.member_id = m.member_id
LEFT JOIN pol ON pol.member_id = m.member_id
LEFT JOIN hpol ON hpol.household_id = m.household_id
LEFT JOIN yulu ON yulu.member_id = m.member_id
LEFT JOIN dropout ON dropout.member_id = m.member_id
LEFT JOIN bills ON bills.member_id = m.member_id
LEFT JOIN _ages g ON g.county_code = SUBSTRING(hh.village_code, 1, {PREFIX_LENGTH[Level.COUNTY]})""")
        household_columns = ", ".join(f"{f.sql} AS {f.name}" for f in HOUSEHOLD_FACTS)
        member_columns = ", ".join(f"{f.sql} AS {f.name}" for f in MEMBER_FACTS)
        con.execute(f"CREATE TEMP VIEW household_facts AS SELECT {household_columns} FROM sector_households h")
        con.execute(f"CREATE TEMP VIEW member_facts AS SELECT {member_columns} FROM sector_members m "
                    "JOIN sector_households h ON h.household_id = m.household_id")

    def evaluate(self, code: str, subject: str, condition: Condition) -> list[RuleHit]:
        """The subjects the condition holds for, each with the figures its condition read."""
        figures = [c for c in condition.columns if c not in KEYS]
        member = "member_id" if subject == Subject.MEMBER else "NULL"
        columns = ", ".join(["household_id", f"{member} AS member_id", "village_code", "household_number", *figures])
        sql = (f"SELECT {columns} FROM {RELATIONS[subject]} WHERE {condition.expression.sql(RULE_DIALECT)} "
               "ORDER BY village_code, household_number, member_id")
        return [RuleHit(code, row[0], row[1], row[2], row[3], dict(zip(figures, row[4:])))
                for row in self.workspace.con.execute(sql).fetchall()]

    def rows(self, subject: str = Subject.MEMBER) -> list[dict]:
        """Every facts row (a household's file, tests)."""
        result = self.workspace.con.execute(f"SELECT * FROM {RELATIONS[subject]}")
        names = [c[0] for c in result.description]
        return [dict(zip(names, row)) for row in result.fetchall()]
