"""建档立卡 registry: households, members, yearly income accounts and yearly 两不愁三保障 + 饮水 checks.

Coded fields store the code of a code table (fupin.dictionaries); the ``*_CODED_FIELDS`` maps at the bottom name
the table of each, so forms, imports, exports and the API resolve labels the same way.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet
from fupin.registry.choices import HouseholdType

MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0")}
AREA = {"max_digits": 10, "decimal_places": 2, "null": True, "blank": True}
# Department accounts work on their own data sets and the reverse lists made for them, not the register itself;
# the security and audit administrators of 三员分立 (docs/identity.md) administer, they do not read households.
REGISTRY_HIDDEN_FROM = ("department", "security_admin", "audit_admin")


class Household(AuditedModel):
    """户: a rural household in one village — every one, not only the 建档立卡 poor. Its 户类型 (``household_type``:
    一般农户 / 脱贫户 / 贫困户) follows its 建档立卡 户状态 (``status``, blank when never registered) through
    ``registry.services``; ``monitoring_kind`` is its 监测对象类别 while it is a monitored household."""

    number = models.CharField(_("户编号"), max_length=20, unique=True)
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="households"
    )
    group_name = models.CharField(_("村民小组"), max_length=50, blank=True)
    address = models.CharField(_("家庭住址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=50, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=30, blank=True)
    category = models.CharField(_("贫困户属性"), max_length=8, blank=True, db_index=True)
    household_type = models.CharField(_("户类型"), max_length=8, default=HouseholdType.ORDINARY.value, db_index=True)
    status = models.CharField(_("户状态"), max_length=8, blank=True, db_index=True, help_text=_("建档立卡户状态，一般农户为空"))
    monitoring_kind = models.CharField(
        _("监测对象类别"), max_length=8, blank=True, db_index=True, help_text=_("未纳入监测为空")
    )
    identification_standard = models.CharField(_("识别标准"), max_length=8, blank=True)
    identification_year = models.PositiveSmallIntegerField(_("识别年度"), null=True, blank=True, db_index=True)
    exit_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    main_cause = models.CharField(_("主要致贫原因"), max_length=8, blank=True, db_index=True)
    other_causes = models.CharField(_("其他致贫原因"), max_length=20, blank=True, help_text=_("逗号分隔，最多两项"))
    enjoys_policy = models.BooleanField(_("享受政策"), default=True)
    # Production and living conditions (生产生活条件)
    cultivated_area = models.DecimalField(_("耕地面积（亩）"), **AREA)
    forest_area = models.DecimalField(_("林地面积（亩）"), **AREA)
    house_area = models.DecimalField(_("住房面积（㎡）"), **AREA)
    road_type = models.CharField(_("入户路类型"), max_length=8, blank=True)
    fuel_type = models.CharField(_("主要燃料类型"), max_length=8, blank=True)
    distance_to_road_km = models.DecimalField(_("与村主干路距离（公里）"), **AREA)
    has_production_power = models.BooleanField(_("通生产用电"), default=True)
    has_living_power = models.BooleanField(_("通生活用电"), default=True)
    has_sanitary_toilet = models.BooleanField(_("有卫生厕所"), default=False)
    in_cooperative = models.BooleanField(_("加入农民专业合作社"), default=False)
    # Denormalised from members so lists need no join; kept current by registry.services.
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True, db_index=True)
    head_id_number = models.CharField(_("户主证件号码"), max_length=18, blank=True)
    size = models.PositiveSmallIntegerField(_("家庭人口数"), default=0)
    created = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    hidden_from_roles = REGISTRY_HIDDEN_FROM
    masked_fields = ("head_id_number", "bank_account")
    audit_region_field = "village"

    class Meta:
        verbose_name = _("农户")
        verbose_name_plural = _("农户")
        ordering = ["number"]
        indexes = [models.Index(fields=["village", "status"])]

    def __str__(self):
        return f"{self.number} {self.head_name}"


class Member(AuditedModel):
    """家庭成员: a person in a household. One person (ID number) is in at most one household at a time."""

    household = models.ForeignKey(Household, verbose_name=_("所属户"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("证件号码"), max_length=18)
    sex = models.CharField(_("性别"), max_length=1)
    birth_date = models.DateField(_("出生日期"))
    relation = models.CharField(_("与户主关系"), max_length=8)
    ethnicity = models.CharField(_("民族"), max_length=8, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=8, blank=True)
    education = models.CharField(_("文化程度"), max_length=8, blank=True)
    schooling = models.CharField(_("在校生状况"), max_length=8, blank=True)
    health = models.CharField(_("健康状况"), max_length=20, blank=True, help_text=_("可多选，逗号分隔"))
    disability_cert = models.CharField(_("残疾证号"), max_length=22, blank=True)
    labour_skill = models.CharField(_("劳动技能"), max_length=8, blank=True)
    work_location = models.CharField(_("务工状况"), max_length=8, blank=True)
    work_months = models.PositiveSmallIntegerField(_("务工时间（月）"), default=0)
    basic_medical_insurance = models.BooleanField(_("参加基本医疗保险"), default=True)
    serious_illness_insurance = models.BooleanField(_("参加大病保险"), default=True)
    pension_insurance = models.BooleanField(_("参加养老保险"), default=False)
    on_dibao = models.BooleanField(_("享受低保"), default=False)
    on_tekun = models.BooleanField(_("特困供养人员"), default=False)
    active = models.BooleanField(_("在册"), default=True)
    removed_reason = models.CharField(_("减员原因"), max_length=50, blank=True)
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "household__village__code"
    hidden_from_roles = REGISTRY_HIDDEN_FROM
    masked_fields = ("id_number", "disability_cert")
    hidden_fields = ("health",)
    audit_region_field = "household.village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "relation", "birth_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=models.Q(active=True), name="member_one_active_household"
            )
        ]
        indexes = [models.Index(fields=["id_number"])]

    def __str__(self):
        return self.name


class IncomeAccount(AuditedModel):
    """收支测算: one household's income and business costs for one year; net and per-capita figures derive."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="income_accounts")
    year = models.PositiveSmallIntegerField(_("年度"))
    wage_income = models.DecimalField(_("工资性收入"), **MONEY)
    business_income = models.DecimalField(_("生产经营性收入"), **MONEY)
    property_income = models.DecimalField(_("财产性收入"), **MONEY)
    transfer_income = models.DecimalField(_("转移性收入"), **MONEY)
    business_costs = models.DecimalField(_("生产经营性支出"), **MONEY)
    medical_out_of_pocket = models.DecimalField(_("合规自付医疗支出"), **MONEY)
    medical_in_policy_cost = models.DecimalField(
        _("政策范围内医疗费用"), help_text=_("合规自付医疗支出所在的政策范围内医疗总费用"), **MONEY
    )
    household_size = models.PositiveSmallIntegerField(_("共享收支人口数"))
    net_income = models.DecimalField(_("家庭纯收入"), max_digits=12, decimal_places=2)
    per_capita_net_income = models.DecimalField(_("人均纯收入"), max_digits=12, decimal_places=2, db_index=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "household__village__code"
    hidden_from_roles = REGISTRY_HIDDEN_FROM
    audit_region_field = "household.village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("年度收支")
        verbose_name_plural = _("年度收支")
        ordering = ["household", "-year"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="income_account_one_per_year")]

    def __str__(self):
        return f"{self.year}年收支"

    def compute(self):
        """人均纯收入 = (工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出) ÷ 家庭人口数."""
        total = self.wage_income + self.business_income + self.property_income + self.transfer_income
        self.net_income = total - self.business_costs
        size = self.household_size or 1
        self.per_capita_net_income = (self.net_income / size).quantize(Decimal("0.01"))


class SecurityCheck(AuditedModel):
    """两不愁三保障 + 饮水安全: the yearly check of a household's basic securities."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="security_checks")
    year = models.PositiveSmallIntegerField(_("年度"))
    food_secure = models.BooleanField(_("不愁吃"), default=True)
    clothing_secure = models.BooleanField(_("不愁穿"), default=True)
    education_secure = models.BooleanField(_("义务教育有保障"), default=True)
    medical_secure = models.BooleanField(_("基本医疗有保障"), default=True)
    housing_secure = models.BooleanField(_("住房安全有保障"), default=True)
    water_secure = models.BooleanField(_("饮水安全有保障"), default=True)
    house_grade = models.CharField(_("危房等级"), max_length=1, blank=True)
    checked_on = models.DateField(_("核查日期"), null=True, blank=True)
    checked_by = models.CharField(_("核查人"), max_length=50, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "household__village__code"
    hidden_from_roles = REGISTRY_HIDDEN_FROM
    audit_region_field = "household.village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("两不愁三保障")
        verbose_name_plural = _("两不愁三保障")
        ordering = ["household", "-year"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="security_check_one_per_year")]

    def __str__(self):
        return f"{self.year}年两不愁三保障"

    @property
    def all_secure(self) -> bool:
        return all(
            (self.food_secure, self.clothing_secure, self.education_secure, self.medical_secure,
             self.housing_secure, self.water_secure)
        )


class DuplicateIdReport(AuditedModel):
    """重复登记报告: someone tried to register an ID number that is active in a household outside their scope.

    They are told only that the number is registered elsewhere; the report goes to the lowest region covering
    both villages (the township for two of its villages, else the county, …), whose accounts see both households
    and resolve it. One open report per person and attempting village: a repeated attempt counts up.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        RESOLVED = "resolved", _("已处理")

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("处理区划"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("同时管辖两地的最低一级区划"),
    )
    id_number_masked = models.CharField(_("证件号码（脱敏）"), max_length=18)
    name = models.CharField(_("申报姓名"), max_length=50, blank=True)
    member = models.ForeignKey(
        Member, verbose_name=_("已登记人员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    existing_household = models.ForeignKey(
        Household, verbose_name=_("已登记户"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    existing_village = models.ForeignKey(
        "regions.Region", verbose_name=_("已登记村"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey("regions.Region", verbose_name=_("申报村"), on_delete=models.PROTECT, related_name="+")
    household_number = models.CharField(_("申报户编号"), max_length=20, blank=True)
    channel = models.CharField(_("渠道"), max_length=16)
    reported_by = models.ForeignKey(
        "accounts.User", verbose_name=_("申报账号"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    attempts = models.PositiveIntegerField(_("申报次数"), default=1)
    created = models.DateTimeField(_("报告时间"), auto_now_add=True)
    last_reported = models.DateTimeField(_("最近申报时间"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolved_by = models.ForeignKey(
        "accounts.User", verbose_name=_("处理人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolution = models.CharField(_("处理结果"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"
    hidden_from_roles = REGISTRY_HIDDEN_FROM

    class Meta:
        verbose_name = _("重复登记报告")
        verbose_name_plural = _("重复登记报告")
        ordering = ["-last_reported", "-pk"]
        indexes = [models.Index(fields=["member", "village", "status"])]

    def __str__(self):
        return f"重复登记 {self.id_number_masked}"


# Which code table each coded field reads from; forms, imports, exports and the API resolve labels through it.
HOUSEHOLD_CODED_FIELDS = {
    "household_type": "household_type",
    "category": "household_category",
    "status": "household_status",
    "monitoring_kind": "monitoring_kind",
    "identification_standard": "identification_standard",
    "main_cause": "poverty_cause",
    "road_type": "road_type",
    "fuel_type": "fuel_type",
}
MEMBER_CODED_FIELDS = {
    "sex": "sex",
    "relation": "relation",
    "ethnicity": "ethnicity",
    "political_status": "political_status",
    "education": "education",
    "schooling": "schooling",
    "labour_skill": "labour_skill",
    "work_location": "work_location",
}
MULTI_CODED_FIELDS = {"other_causes": "poverty_cause", "health": "health"}

# Code tables per field, for the audit trail's readable history.
Household.coded_fields = {**HOUSEHOLD_CODED_FIELDS, "other_causes": "poverty_cause"}
Member.coded_fields = {**MEMBER_CODED_FIELDS, "health": "health"}
SecurityCheck.coded_fields = {"house_grade": "house_grade"}
