"""The record kinds of 行业政策, declared once for the pages, exports, imports and API: model, sector, whom a record
names (a member by ID number, or a household by number), the fields a form and an import row fill, the list and
export columns, the filters, and the service that writes one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from fupin.core.tables import BOOL, DATE, NUMBER, Column, Table
from fupin.regions.models import Level

from . import services
from .choices import (
    DropoutStatus,
    EnrolmentStatus,
    Policy,
    RelocationMode,
    RenovationMethod,
    Sector,
    Source,
    Stage,
    WaterResult,
    YuluStatus,
)
from .models import (
    HOUSE_GRADES,
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

MEMBER, HOUSEHOLD = "member", "household"

REGION_COLUMNS = [Column("乡镇", "village_id", region_level=Level.TOWNSHIP), Column("村", "village_id",
                                                                                  region_level=Level.VILLAGE)]
HOUSEHOLD_COLUMNS = [*REGION_COLUMNS, Column("户编号", "household__number", width=20),
                     Column("户主", "household__head_name")]
MEMBER_COLUMNS = [*REGION_COLUMNS, Column("户编号", "household__number", width=20), Column("姓名", "member__name"),
                  Column("证件号码", "member__id_number", sensitive=True, width=22)]
SOURCE = Column("来源", "source", choices=dict(Source.choices))


@dataclass(frozen=True)
class Filter:
    """An extra list filter: a query parameter, its label, the lookup and its choices."""

    name: str
    label: str
    lookup: str
    choices: tuple = ()
    boolean: bool = False


@dataclass(frozen=True)
class Kind:
    code: str
    model: type
    title: str
    sector: str
    subject: str
    fields: tuple[str, ...]
    columns: tuple[Column, ...]
    year_lookup: str  # the field a 年度 filter reads: a year field, or a date field's __year
    filters: tuple[Filter, ...] = ()
    save: Callable = services.save_record
    table: Table = field(init=False, repr=False)

    def url(self, action: str, pk: int | None = None) -> str:
        """The page of this kind: list, export, import, create, detail, edit."""
        return reverse(f"sectors:{self.code}_{action}", kwargs={"pk": pk} if pk is not None else None)

    def __post_init__(self):
        people = MEMBER_COLUMNS if self.subject == MEMBER else HOUSEHOLD_COLUMNS
        object.__setattr__(self, "table", Table(self.title, self.model, [*people, *self.columns, SOURCE]))


def _choices(choices) -> dict:
    return dict(choices)


KINDS: tuple[Kind, ...] = (
    Kind("students", StudentStatus, "学籍", Sector.EDUCATION, MEMBER,
         ("year", "school", "grade", "stage", "enrolled", "note"),
         (Column("学年", "year", NUMBER), Column("学校", "school", width=24), Column("年级", "grade"),
          Column("学段", "stage", choices=_choices(Stage.choices)), Column("在读", "enrolled", BOOL)),
         "year", (Filter("stage", "学段", "stage", tuple(Stage.choices)),)),
    Kind("yulu", YuluApplication, "雨露计划补助", Sector.EDUCATION, MEMBER,
         ("year", "stage", "school", "applied_on", "note"),
         (Column("年度", "year", NUMBER), Column("学段", "stage", choices=_choices(Stage.choices)),
          Column("学校", "school", width=24), Column("状态", "status", choices=_choices(YuluStatus.choices)),
          Column("补助金额（元）", "amount", NUMBER), Column("申请日期", "applied_on", DATE),
          Column("申请登记人", "applied_by__full_name"), Column("审核日期", "approved_on", DATE),
          Column("审核人", "approved_by__full_name"), Column("发放日期", "paid_on", DATE),
          Column("发放登记人", "paid_by__full_name"), Column("未通过原因", "reject_reason", width=20)),
         "year", (Filter("status", "状态", "status", tuple(YuluStatus.choices)),), save=services.apply_yulu),
    Kind("dropouts", DropoutCase, "控辍保学", Sector.EDUCATION, MEMBER,
         ("opened_on", "reason", "note"),
         (Column("发现日期", "opened_on", DATE), Column("失学辍学原因", "reason", width=24),
          Column("状态", "status", choices=_choices(DropoutStatus.choices)), Column("办结日期", "closed_on", DATE),
          Column("返校学校", "school", width=20)),
         "opened_on__year", (Filter("status", "状态", "status", tuple(DropoutStatus.choices)),)),
    Kind("enrolments", Enrolment, "享受政策", Sector.SOCIAL, MEMBER,
         ("policy", "start", "end", "amount", "provider", "disease", "reference", "note"),
         (Column("政策", "policy", choices=_choices(Policy.choices), width=20), Column("起始日期", "start", DATE),
          Column("终止日期", "end", DATE), Column("金额（元）", "amount", NUMBER),
          Column("状态", "status", choices=_choices(EnrolmentStatus.choices)),
          Column("渐退期满日期", "taper_end", DATE), Column("签约医生/团队、发证机构", "provider", width=20),
          Column("慢性病病种", "disease__name", full_only=True, width=20), Column("证号或协议号", "reference")),
         "start__year", (Filter("policy", "政策", "policy", tuple(Policy.choices)),
                         Filter("status", "状态", "status", tuple(EnrolmentStatus.choices)))),
    Kind("bills", HospitalBill, "住院费用", Sector.HEALTH, MEMBER,
         ("hospital", "admitted_on", "discharged_on", "diagnosis", "total_cost", "in_policy_cost", "reimbursed",
          "self_pay", "pay_later", "note"),
         (Column("医疗机构", "hospital", width=20), Column("入院日期", "admitted_on", DATE),
          Column("出院（结算）日期", "discharged_on", DATE), Column("诊断", "diagnosis", full_only=True),
          Column("医疗总费用（元）", "total_cost", NUMBER), Column("政策范围内费用（元）", "in_policy_cost", NUMBER),
          Column("报销金额（元）", "reimbursed", NUMBER), Column("政策范围内个人自付（元）", "self_pay", NUMBER),
          Column("自付比例（%）", "self_pay_pct", NUMBER), Column("自付比例上限（%）", "cap_pct", NUMBER),
          Column("超过自付上限", "over_cap", BOOL), Column("先诊疗后付费", "pay_later", BOOL)),
         "discharged_on__year", (Filter("over_cap", "只看超过自付上限", "over_cap", boolean=True),)),
    Kind("appraisals", HouseAppraisal, "危房鉴定", Sector.HOUSING, HOUSEHOLD,
         ("grade", "appraised_on", "agency", "note"),
         (Column("鉴定等级", "grade"), Column("鉴定日期", "appraised_on", DATE), Column("鉴定单位", "agency", width=20)),
         "appraised_on__year", (Filter("grade", "鉴定等级", "grade", tuple(HOUSE_GRADES)),),
         save=services.record_appraisal),
    Kind("renovations", Renovation, "危房改造", Sector.HOUSING, HOUSEHOLD,
         ("method", "subsidy", "started_on", "accepted_on", "accepted", "note"),
         (Column("改造方式", "method", choices=_choices(RenovationMethod.choices)),
          Column("补助资金（元）", "subsidy", NUMBER), Column("开工日期", "started_on", DATE),
          Column("竣工验收日期", "accepted_on", DATE), Column("验收合格", "accepted", BOOL)),
         "started_on__year", (Filter("method", "改造方式", "method", tuple(RenovationMethod.choices)),)),
    Kind("water", WaterCheck, "饮水安全核查", Sector.WATER, HOUSEHOLD,
         ("checked_on", "litres", "quality_ok", "minutes", "rate", "note"),
         (Column("核查日期", "checked_on", DATE), Column("水量（升/人·日）", "litres", NUMBER),
          Column("水质达标", "quality_ok", BOOL), Column("取水往返时间（分钟）", "minutes", NUMBER),
          Column("供水保证率（%）", "rate", NUMBER), Column("核查结论", "result", choices=_choices(WaterResult.choices))),
         "checked_on__year", (Filter("result", "核查结论", "result", tuple(WaterResult.choices)),)),
    Kind("relocations", Relocation, "易地搬迁", Sector.RELOCATION, HOUSEHOLD,
         ("site", "mode", "moved_on", "note"),
         (Column("安置点", "site", width=20), Column("安置方式", "mode", choices=_choices(RelocationMode.choices)),
          Column("搬迁入住日期", "moved_on", DATE)),
         "moved_on__year", (Filter("mode", "安置方式", "mode", tuple(RelocationMode.choices)),)),
)
BY_CODE = {kind.code: kind for kind in KINDS}
SECTION_KINDS = {sector: [k for k in KINDS if k.sector == sector] for sector in Sector.values}
# 享受政策 spans two sectors (兜底保障 and the health policies 家庭医生签约, 门诊慢性病证): shown under both.
SECTION_KINDS[Sector.HEALTH].insert(0, BY_CODE["enrolments"])


def kind_of(model) -> Kind:
    return next(k for k in KINDS if k.model is model)


def _may_read(kind) -> Callable:
    """The menu predicate of a kind's list: the app, and for a department account its sector (or policies)."""
    from .access import policies_of, sectors_of, sectors_work

    def allows(user) -> bool:
        if not sectors_work.allows(user):
            return False
        if kind.model is Enrolment:
            policies = policies_of(user)
            return policies is None or bool(policies)
        sectors = sectors_of(user)
        return sectors is None or kind.sector in sectors

    return allows


def _app(user) -> bool:
    from .access import sectors_work

    return sectors_work.allows(user)


# The 「行业政策」 menu group (fupin/menu.py): (label, URL name, predicate), each the check its page makes.
MENU = [("行业政策总览", "sectors:index", _app),
        *((kind.title, f"sectors:{kind.code}_list", _may_read(kind)) for kind in KINDS),
        ("应享未享", "sectors:coverage", _app), ("政策标准与规则", "sectors:config", _app)]
