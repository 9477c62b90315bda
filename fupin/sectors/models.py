"""行业政策: the policies members and households enjoy, the sector workflows, the configured figures, and the
应享未享 coverage rules with their gaps.

One generic record, ``Enrolment`` (a member's or household's enrolment in a ``Policy``: start, end, amount, status,
source), holds every policy of the same shape (低保, 特困, 代缴养老保险, 两项补贴, 家庭医生签约, 门诊慢性病证).
Specialised models exist only where there is a workflow or figures of their own: student status and 雨露计划
(application → approval → payment), 控辍保学 cases and their follow-ups, hospital bills (the self-pay share against
the configured cap), house appraisals and renovations, water checks, relocations. Insurance is the register's
(``registry.Member``): not repeated here.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet

from .choices import (
    DropoutStatus,
    EnrolmentStatus,
    Figure,
    GapStatus,
    Policy,
    RelocationMode,
    RenovationMethod,
    Sector,
    Source,
    Stage,
    Subject,
    WaterResult,
    YuluStatus,
)

MONEY = {"max_digits": 12, "decimal_places": 2}
HOUSE_GRADES = [("A", "A级"), ("B", "B级"), ("C", "C级"), ("D", "D级")]


# --- configuration ---------------------------------------------------------------------------------------------

class PolicyFigure(AuditedModel):
    """A policy figure (雨露计划 amount, self-pay cap, 渐退 months, water thresholds) from a year on, for a region,
    with its source; the most specific region, then the latest year not after the one asked, wins
    (``figures.value``)."""

    code = models.CharField(_("指标"), max_length=40, choices=Figure.choices)
    year = models.PositiveSmallIntegerField(_("起始年度"), null=True, blank=True,
                                            help_text=_("自该年度起执行，直至更晚年度的标准；留空为各年度通用"))
    region = models.ForeignKey("regions.Region", verbose_name=_("适用区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="sector_figures", help_text=_("留空为全国默认"))
    value = models.DecimalField(_("取值"), max_digits=14, decimal_places=2)
    source = models.CharField(_("依据"), max_length=300)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    audit_region_field = "region"

    class Meta:
        verbose_name = _("政策标准")
        verbose_name_plural = _("政策标准")
        ordering = ["code", "region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["code", "year", "region"], name="sectors_figure_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(year__isnull=True, region__isnull=True),
                                    name="sectors_figure_unique_default"),
        ]

    def __str__(self):
        return f"{self.get_code_display()} = {self.value}"


class ChronicDisease(AuditedModel):
    """One disease of the 门诊慢性病 list of a region (the most specific region with a list wins)."""

    name = models.CharField(_("病种"), max_length=50)
    region = models.ForeignKey("regions.Region", verbose_name=_("适用区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="sector_diseases",
                               help_text=_("留空为全国默认目录"))
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    source = models.CharField(_("依据"), max_length=300)

    audit_region_field = "region"

    class Meta:
        verbose_name = _("门诊慢性病病种")
        verbose_name_plural = _("门诊慢性病病种")
        ordering = ["region", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["name", "region"], name="sectors_disease_unique")]

    def __str__(self):
        return self.name


# --- records ---------------------------------------------------------------------------------------------------

class HouseholdRecord(AuditedModel):
    """What every sector record has: its household and village (the scope), where it came from, when."""

    # Named reverse relations (not "+"): the demo's wipe finds the rows that hang off households and regions.
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.CASCADE,
                                  related_name="sector_%(class)ss")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT,
                                related_name="sector_%(class)ss")
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.ENTERED)
    dataset = models.ForeignKey("comparison.Dataset", verbose_name=_("部门数据集"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="sector_%(class)ss")
    row_no = models.PositiveIntegerField(_("数据行号"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "household"
    # The security and audit administrators of 三员分立 read no business data (registry/access.py).
    hidden_from_roles = ("security_admin", "audit_admin")
    sector: str = ""

    class Meta:
        abstract = True


class MemberRecord(HouseholdRecord):
    member = models.ForeignKey("registry.Member", verbose_name=_("成员"), on_delete=models.CASCADE,
                               related_name="sector_%(class)ss")

    class Meta:
        abstract = True


class Enrolment(HouseholdRecord):
    """享受政策: a member's (or, without one, the household's) enrolment in a policy from ``start`` to ``end``."""

    member = models.ForeignKey("registry.Member", verbose_name=_("成员"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="sector_enrolments")
    policy = models.CharField(_("政策"), max_length=20, choices=Policy.choices, db_index=True)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("终止日期"), null=True, blank=True)
    amount = models.DecimalField(_("金额（元）"), null=True, blank=True, **MONEY)
    status = models.CharField(_("状态"), max_length=10, choices=EnrolmentStatus.choices,
                              default=EnrolmentStatus.ACTIVE)
    taper_start = models.DateField(_("渐退起始日期"), null=True, blank=True)
    taper_end = models.DateField(_("渐退期满日期"), null=True, blank=True, help_text=_("按配置的渐退期月数计算"))
    provider = models.CharField(_("签约医生/团队、发证机构"), max_length=100, blank=True)
    disease = models.ForeignKey(ChronicDisease, verbose_name=_("慢性病病种"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("证号或协议号"), max_length=50, blank=True)

    hidden_fields = ("disease",)

    class Meta:
        verbose_name = _("享受政策")
        verbose_name_plural = _("享受政策")
        ordering = ["policy", "-start", "-id"]
        indexes = [models.Index(fields=["village", "policy"]), models.Index(fields=["member", "policy"])]

    def __str__(self):
        return self.get_policy_display()


class StudentStatus(MemberRecord):
    """在校生状况 of a member in a school year (from the 学籍 data set or entered)."""

    sector = Sector.EDUCATION
    year = models.PositiveSmallIntegerField(_("学年"), help_text=_("学年开始的年份，如 2026 表示 2026—2027 学年"))
    school = models.CharField(_("学校"), max_length=100)
    grade = models.CharField(_("年级"), max_length=20, blank=True)
    stage = models.CharField(_("学段"), max_length=20, choices=Stage.choices)
    enrolled = models.BooleanField(_("在读"), default=True)

    class Meta:
        verbose_name = _("学籍")
        verbose_name_plural = _("学籍")
        ordering = ["-year", "village", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="sectors_student_one_per_year")]

    def __str__(self):
        return f"{self.year}学年 {self.school}"


class YuluApplication(MemberRecord):
    """雨露计划 subsidy of a 中职/高职 student for a year: application → approval → payment."""

    sector = Sector.EDUCATION
    year = models.PositiveSmallIntegerField(_("年度"))
    stage = models.CharField(_("学段"), max_length=20, choices=Stage.choices)
    school = models.CharField(_("学校"), max_length=100)
    amount = models.DecimalField(_("补助金额（元）"), null=True, blank=True,
                                 help_text=_("审核时按当年配置的补助标准确定"), **MONEY)
    status = models.CharField(_("状态"), max_length=10, choices=YuluStatus.choices, default=YuluStatus.APPLIED,
                              db_index=True)
    applied_on = models.DateField(_("申请日期"))
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    approved_on = models.DateField(_("审核日期"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发放登记人"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("雨露计划补助")
        verbose_name_plural = _("雨露计划补助")
        ordering = ["-year", "village", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="sectors_yulu_one_per_year")]

    def __str__(self):
        return f"{self.year}年雨露计划"


class DropoutCase(MemberRecord):
    """控辍保学: a child of compulsory-school age not at school, followed up until settled."""

    sector = Sector.EDUCATION
    opened_on = models.DateField(_("发现日期"))
    reason = models.CharField(_("失学辍学原因"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=DropoutStatus.choices,
                              default=DropoutStatus.PERSUADING, db_index=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    school = models.CharField(_("返校学校"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("控辍保学")
        verbose_name_plural = _("控辍保学")
        ordering = ["-opened_on", "-id"]

    def __str__(self):
        return f"控辍保学 {self.get_status_display()}"


class DropoutFollowUp(AuditedModel):
    """One follow-up (劝返) of a 控辍保学 case."""

    case = models.ForeignKey(DropoutCase, verbose_name=_("控辍保学"), on_delete=models.CASCADE,
                             related_name="follow_ups")
    date = models.DateField(_("日期"))
    content = models.CharField(_("劝返情况"), max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "case__village__code"
    audit_region_field = "case.village"
    audit_parent_field = "case.household"

    class Meta:
        verbose_name = _("劝返记录")
        verbose_name_plural = _("劝返记录")
        ordering = ["date", "id"]


class HospitalBill(MemberRecord):
    """A hospital (or outpatient chronic-disease) bill, from the 医保 data set or entered; the self-pay share of the
    in-policy cost is kept with the cap that applied, and flagged over it."""

    sector = Sector.HEALTH
    hospital = models.CharField(_("医疗机构"), max_length=100)
    admitted_on = models.DateField(_("入院日期"), null=True, blank=True)
    discharged_on = models.DateField(_("出院（结算）日期"))
    diagnosis = models.CharField(_("诊断"), max_length=100, blank=True)
    total_cost = models.DecimalField(_("医疗总费用（元）"), **MONEY)
    in_policy_cost = models.DecimalField(_("政策范围内费用（元）"), **MONEY)
    reimbursed = models.DecimalField(_("报销金额（元）"), **MONEY)
    self_pay = models.DecimalField(_("政策范围内个人自付（元）"), **MONEY)
    pay_later = models.BooleanField(_("先诊疗后付费"), default=False)
    self_pay_pct = models.DecimalField(_("自付比例（%）"), max_digits=7, decimal_places=2, null=True, blank=True)
    cap_pct = models.DecimalField(_("自付比例上限（%）"), max_digits=7, decimal_places=2, null=True, blank=True)
    over_cap = models.BooleanField(_("超过自付上限"), default=False, db_index=True)

    hidden_fields = ("diagnosis",)

    class Meta:
        verbose_name = _("住院费用")
        verbose_name_plural = _("住院费用")
        ordering = ["-discharged_on", "-id"]

    def __str__(self):
        return f"{self.hospital} {self.discharged_on}"


class HouseAppraisal(HouseholdRecord):
    """危房鉴定: one appraisal of the household's house. The latest is the house's grade; the register's yearly
    check of the appraisal's year takes the same grade (``services.record_appraisal``)."""

    sector = Sector.HOUSING
    grade = models.CharField(_("鉴定等级"), max_length=1, choices=HOUSE_GRADES)
    appraised_on = models.DateField(_("鉴定日期"))
    agency = models.CharField(_("鉴定单位"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("危房鉴定")
        verbose_name_plural = _("危房鉴定")
        ordering = ["-appraised_on", "-id"]

    def __str__(self):
        return f"{self.appraised_on} {self.grade}级"


class Renovation(HouseholdRecord):
    """危房改造: the measure for a C/D house, its subsidy, start and acceptance."""

    sector = Sector.HOUSING
    appraisal = models.ForeignKey(HouseAppraisal, verbose_name=_("依据鉴定"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="renovations")
    method = models.CharField(_("改造方式"), max_length=16, choices=RenovationMethod.choices)
    subsidy = models.DecimalField(_("补助资金（元）"), default=0, **MONEY)
    started_on = models.DateField(_("开工日期"))
    accepted_on = models.DateField(_("竣工验收日期"), null=True, blank=True)
    accepted = models.BooleanField(_("验收合格"), default=False)

    class Meta:
        verbose_name = _("危房改造")
        verbose_name_plural = _("危房改造")
        ordering = ["-started_on", "-id"]

    def __str__(self):
        return f"{self.get_method_display()} {self.started_on}"


class WaterCheck(HouseholdRecord):
    """饮水安全核查 by the four indicators of docs/domain-facts.md §3.7; the result follows the configured standards."""

    sector = Sector.WATER
    checked_on = models.DateField(_("核查日期"))
    litres = models.DecimalField(_("水量（升/人·日）"), max_digits=7, decimal_places=1)
    quality_ok = models.BooleanField(_("水质达标"), default=True)
    minutes = models.DecimalField(_("取水往返时间（分钟）"), max_digits=6, decimal_places=1,
                                  help_text=_("入户供水填 0"))
    rate = models.DecimalField(_("供水保证率（%）"), max_digits=5, decimal_places=1)
    result = models.CharField(_("核查结论"), max_length=8, choices=WaterResult.choices)

    class Meta:
        verbose_name = _("饮水安全核查")
        verbose_name_plural = _("饮水安全核查")
        ordering = ["-checked_on", "-id"]

    def __str__(self):
        return f"{self.checked_on} {self.get_result_display()}"


class Relocation(HouseholdRecord):
    """易地扶贫搬迁: where the household moved, how, when; its 后续扶持 measures follow."""

    sector = Sector.RELOCATION
    site = models.CharField(_("安置点"), max_length=100)
    mode = models.CharField(_("安置方式"), max_length=10, choices=RelocationMode.choices)
    moved_on = models.DateField(_("搬迁入住日期"))

    class Meta:
        verbose_name = _("易地搬迁")
        verbose_name_plural = _("易地搬迁")
        ordering = ["-moved_on", "-id"]

    def __str__(self):
        return f"{self.site} {self.moved_on}"


class RelocationSupport(AuditedModel):
    """后续扶持: one measure for a relocated household (产业, 就业, 公共服务 …)."""

    relocation = models.ForeignKey(Relocation, verbose_name=_("易地搬迁"), on_delete=models.CASCADE,
                                   related_name="supports")
    date = models.DateField(_("日期"))
    content = models.CharField(_("扶持措施"), max_length=200)
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "relocation__village__code"
    audit_region_field = "relocation.village"
    audit_parent_field = "relocation.household"

    class Meta:
        verbose_name = _("后续扶持措施")
        verbose_name_plural = _("后续扶持措施")
        ordering = ["date", "id"]


# --- coverage (应享未享) ----------------------------------------------------------------------------------------

class CoverageRule(AuditedModel):
    """应享未享 rule: a SQL condition over the member (or household) facts (``coverage.FACTS``) naming who should
    receive a policy and does not. Built-in rules are installed by migration 0002 from frozen JSON."""

    code = models.SlugField(_("规则代码"), max_length=40, unique=True)
    name = models.CharField(_("规则名称"), max_length=80)
    sector = models.CharField(_("行业"), max_length=12, choices=Sector.choices)
    subject = models.CharField(_("对象"), max_length=10, choices=Subject.choices, default=Subject.MEMBER)
    condition = models.TextField(_("条件"), help_text=_("SQL 条件表达式，可用字段见“成员事实表字段说明”"))
    description = models.CharField(_("说明"), max_length=300, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("应享未享规则")
        verbose_name_plural = _("应享未享规则")
        ordering = ["sector", "code"]

    def __str__(self):
        return self.name

    @property
    def audit_region_code(self) -> str:
        """County-wide configuration: filed under no region."""
        return ""


class CoverageRun(AuditedModel):
    year = models.PositiveSmallIntegerField(_("年度"))
    region_code = models.CharField(_("范围"), max_length=12, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    summary = models.JSONField(_("结果"), default=dict)
    created = models.DateTimeField(_("运行时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_code"
    audit_region_field = "region_code"

    class Meta:
        verbose_name = _("应享未享排查")
        verbose_name_plural = _("应享未享排查")
        ordering = ["-created"]


class CoverageGap(AuditedModel):
    """One person (or household) a rule finds without a policy they should have, in a year; a later run that no
    longer finds them closes it."""

    rule = models.CharField(_("规则"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年度"))
    village_code = models.CharField(_("所属村"), max_length=12)
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.CASCADE,
                                  related_name="coverage_gaps")
    household_number = models.CharField(_("户编号"), max_length=20)
    member = models.ForeignKey("registry.Member", verbose_name=_("成员"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="coverage_gaps")
    member_name = models.CharField(_("姓名"), max_length=50, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=18, blank=True)
    figures = models.JSONField(_("依据"), default=dict)
    status = models.CharField(_("状态"), max_length=8, choices=GapStatus.choices, default=GapStatus.OPEN,
                              db_index=True)
    first_seen = models.DateTimeField(_("发现时间"), auto_now_add=True)
    last_seen = models.DateTimeField(_("最近排查时间"))
    closed_at = models.DateTimeField(_("补齐时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village_code"
    hidden_from_roles = ("security_admin", "audit_admin")
    masked_fields = ("id_number",)
    audit_region_field = "village_code"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("应享未享")
        verbose_name_plural = _("应享未享")
        ordering = ["village_code", "household_number", "rule"]
        constraints = [models.UniqueConstraint(fields=["rule", "year", "household", "member"],
                                               name="sectors_gap_one_per_subject"),
                       models.UniqueConstraint(fields=["rule", "year", "household"], condition=Q(member__isnull=True),
                                               name="sectors_gap_one_per_household")]
        indexes = [models.Index(fields=["year", "status", "village_code"])]

    def __str__(self):
        return f"{self.member_name or self.household_number}：{self.rule}"
