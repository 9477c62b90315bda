"""帮扶: helpers (帮扶责任人) and their pairing with households (结对), measures (帮扶措施) and visits (走访)."""

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}


class UnitLevel(models.TextChoices):
    PROVINCE = "1", _("省直")
    CITY = "2", _("市直")
    COUNTY = "3", _("县直")
    TOWNSHIP = "4", _("乡镇")
    VILLAGE = "5", _("村级")


class Helper(AuditedModel):
    """帮扶责任人: a cadre with a unit, serving households in a region (a county, township or village)."""

    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=[("1", "男"), ("2", "女")], blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=20, blank=True)
    unit = models.CharField(_("帮扶单位"), max_length=100)
    unit_level = models.CharField(_("单位隶属关系"), max_length=1, choices=UnitLevel.choices, default=UnitLevel.COUNTY)
    position = models.CharField(_("职务"), max_length=50, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("帮扶地区"), on_delete=models.PROTECT,
                               related_name="+", help_text=_("所帮扶户所在的县、乡镇或村"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="helper_profiles",
                             help_text=_("关联账号后，可在手机上“我的帮扶户”记录走访"))
    active = models.BooleanField(_("在岗"), default=True)
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("帮扶责任人")
        verbose_name_plural = _("帮扶责任人")
        ordering = ["region", "name"]

    def __str__(self):
        return f"{self.name}（{self.unit}）"


class Pairing(AuditedModel):
    """结对: a helper paired with a household from ``start`` until ``end`` (empty while current)."""

    helper = models.ForeignKey(Helper, verbose_name=_("帮扶责任人"), on_delete=models.PROTECT, related_name="pairings")
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.CASCADE,
                                  related_name="pairings")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    start = models.DateField(_("帮扶开始时间"))
    end = models.DateField(_("帮扶结束时间"), null=True, blank=True)
    end_reason = models.CharField(_("取消结对原因"), max_length=200, blank=True)
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["helper", "household"], condition=Q(end__isnull=True),
                                    name="pairing_one_current")
        ]
        indexes = [models.Index(fields=["household", "end"])]

    def __str__(self):
        return f"{self.helper.name} 结对 {self.household_id}"

    @property
    def is_current(self) -> bool:
        return self.end is None or self.end >= timezone.localdate()


class MeasureKind(models.TextChoices):
    """帮扶措施类别 (docs/domain-facts.md §2.2)."""

    INDUSTRY = "industry", _("产业帮扶")
    EMPLOYMENT = "employment", _("就业帮扶")
    PUBLIC_JOB = "public_job", _("公益岗位")
    EDUCATION = "education", _("教育帮扶")
    HEALTH = "health", _("健康帮扶")
    HOUSING = "housing", _("住房安全保障")
    WATER = "water", _("饮水安全保障")
    SAFETY_NET = "safety_net", _("综合保障（兜底）")
    MICROCREDIT = "microcredit", _("小额信贷")
    FINANCE = "finance", _("金融帮扶")
    RELOCATION = "relocation", _("易地搬迁")
    ECOLOGY = "ecology", _("生态帮扶")
    ASSET_INCOME = "asset_income", _("资产收益")
    SOCIAL = "social", _("社会帮扶")
    OTHER = "other", _("其他")


# 开发式帮扶: households with working capacity must get at least one of these (docs/domain-facts.md §2.2).
DEVELOPMENT_KINDS = (MeasureKind.INDUSTRY, MeasureKind.EMPLOYMENT, MeasureKind.PUBLIC_JOB, MeasureKind.MICROCREDIT,
                     MeasureKind.FINANCE)


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    ONGOING = "ongoing", _("实施中")
    DONE = "done", _("已落实")
    CANCELLED = "cancelled", _("已取消")


class Measure(AuditedModel):
    """帮扶措施: one measure for a household, with its amount, date and status."""

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.CASCADE,
                                  related_name="measures")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    monitored = models.ForeignKey("monitoring.MonitoredHousehold", verbose_name=_("监测对象"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="measures")
    kind = models.CharField(_("措施类别"), max_length=16, choices=MeasureKind.choices)
    content = models.CharField(_("措施内容"), max_length=300)
    amount = models.DecimalField(_("金额（元）"), null=True, blank=True, **MONEY)
    date = models.DateField(_("实施日期"))
    status = models.CharField(_("状态"), max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.ONGOING)
    helper = models.ForeignKey(Helper, verbose_name=_("落实人"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="measures")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["village", "kind"]), models.Index(fields=["household", "date"])]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.content}"


class Visit(AuditedModel):
    """走访: a helper's visit to a household, with what was found and done, photos and where it was recorded."""

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.CASCADE,
                                  related_name="visits")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    helper = models.ForeignKey(Helper, verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="visits")
    date = models.DateField(_("走访日期"))
    content = models.TextField(_("走访内容"), max_length=2000)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Made by the phone when the visit is entered (offline too): a resend of the same visit finds this row.
    client_uuid = models.UUIDField(_("客户端编号"), null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["household", "date"]), models.Index(fields=["helper", "date"])]

    def __str__(self):
        return f"{self.helper.name} {self.date:%Y-%m-%d} 走访"

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def photo_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"visits/{instance.visit.household_id}/{timezone.now():%Y%m%d%H%M%S%f}{suffix}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to=photo_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "visit__village__code"

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
        ordering = ["uploaded", "id"]


# --- configuration ------------------------------------------------------------------------------------------------

class ParameterCode(models.TextChoices):
    """The figures the team and visit rules read (docs/domain-facts.md §6), configured by year and region."""

    TEAM_MIN_MEMBERS = "team_min_members", _("驻村工作队最少人数")
    TEAM_TERM_YEARS = "team_term_years", _("每期驻村最短年限")
    VISIT_DAYS_MONITORED = "visit_days_monitored", _("监测对象走访周期")
    VISIT_DAYS_POOR = "visit_days_poor", _("未脱贫户走访周期")
    VISIT_DAYS_EXITED = "visit_days_exited", _("脱贫户走访周期")
    VISIT_DAYS_ORDINARY = "visit_days_ordinary", _("其他结对户走访周期")


PARAMETER_UNITS = {
    ParameterCode.TEAM_MIN_MEMBERS: "人", ParameterCode.TEAM_TERM_YEARS: "年",
    ParameterCode.VISIT_DAYS_MONITORED: "天", ParameterCode.VISIT_DAYS_POOR: "天",
    ParameterCode.VISIT_DAYS_EXITED: "天", ParameterCode.VISIT_DAYS_ORDINARY: "天",
}


class AssistanceParameter(AuditedModel):
    """A figure of the team and visit rules for a year (blank: every year) and region (blank: national); the most
    specific region, then the exact year, wins."""

    code = models.CharField(_("参数"), max_length=32, choices=ParameterCode.choices)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True, help_text=_("留空为各年度通用"))
    region = models.ForeignKey("regions.Region", verbose_name=_("适用区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", help_text=_("留空为全国默认"))
    value = models.PositiveIntegerField(_("取值"), help_text=_("走访周期为0表示不作要求"))
    source = models.CharField(_("依据"), max_length=300)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("帮扶参数")
        verbose_name_plural = _("帮扶参数")
        ordering = ["code", "region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["code", "year", "region"], name="assistance_parameter_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(year__isnull=True, region__isnull=True),
                                    name="assistance_parameter_unique_default"),
        ]

    def __str__(self):
        return f"{self.get_code_display()} = {self.value}{self.unit}"

    @property
    def unit(self) -> str:
        return PARAMETER_UNITS.get(self.code, "")


# --- 驻村工作队 ------------------------------------------------------------------------------------------------------

class WorkTeam(AuditedModel):
    """驻村工作队: the team a village has for one period (期); a new period is a new team, the old one kept."""

    # A named reverse relation, so the demo's wipe of the region tree finds the teams (and their members) too.
    village = models.ForeignKey("regions.Region", verbose_name=_("驻村"), on_delete=models.PROTECT,
                                related_name="work_teams")
    name = models.CharField(_("工作队名称"), max_length=100)
    lead_unit = models.CharField(_("牵头派出单位"), max_length=100)
    start = models.DateField(_("本期开始"))
    end = models.DateField(_("本期结束"), null=True, blank=True)
    active = models.BooleanField(_("本期在驻"), default=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"

    class Meta:
        verbose_name = _("驻村工作队")
        verbose_name_plural = _("驻村工作队")
        ordering = ["village", "-start"]
        constraints = [models.UniqueConstraint(fields=["village"], condition=Q(active=True),
                                               name="workteam_one_active")]

    def __str__(self):
        return self.name


class TeamRole(models.TextChoices):
    FIRST_SECRETARY = "secretary", _("第一书记")
    LEADER = "leader", _("队长")
    MEMBER = "member", _("队员")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    RECALLED = "recalled", _("已召回")
    ADJUSTED = "adjusted", _("已调整")
    FINISHED = "finished", _("期满离任")


class TeamMember(AuditedModel):
    """A member of a 驻村工作队, dispatched from a unit (派出单位) for a term (每期不少于 the configured years)."""

    team = models.ForeignKey(WorkTeam, verbose_name=_("工作队"), on_delete=models.CASCADE, related_name="members")
    village = models.ForeignKey("regions.Region", verbose_name=_("驻村"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("派出单位"), max_length=100)
    role = models.CharField(_("职务"), max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"))
    status = models.CharField(_("状态"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    left_on = models.DateField(_("离岗日期"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="team_memberships")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "team"
    masked_fields = ("phone",)

    class Meta:
        verbose_name = _("驻村工作队队员")
        verbose_name_plural = _("驻村工作队队员")
        ordering = ["team", "role", "name"]
        indexes = [models.Index(fields=["village", "status"])]

    def __str__(self):
        return f"{self.name}（{self.get_role_display()}）"


class TeamChangeKind(models.TextChoices):
    RECALL = "recall", _("召回")
    ADJUST = "adjust", _("调整")
    FINISH = "finish", _("期满离任")
    ROLE = "role", _("职务变更")


class MemberChange(models.Model):
    """召回调整 history of a member: what changed, when and why (the member row keeps only its latest state)."""

    member = models.ForeignKey(TeamMember, verbose_name=_("队员"), on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("类别"), max_length=10, choices=TeamChangeKind.choices)
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=300)
    detail = models.CharField(_("变更内容"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "member__village__code"

    class Meta:
        verbose_name = _("召回调整记录")
        verbose_name_plural = _("召回调整记录")
        ordering = ["-date", "-id"]


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("在岗")
    ABSENT = "absent", _("缺勤")
    LEAVE = "leave", _("请假")


class Attendance(AuditedModel):
    """在岗考勤: one member's day."""

    member = models.ForeignKey(TeamMember, verbose_name=_("队员"), on_delete=models.CASCADE,
                               related_name="attendance")
    village = models.ForeignKey("regions.Region", verbose_name=_("驻村"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    status = models.CharField(_("考勤"), max_length=10, choices=AttendanceStatus.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "member"

    class Meta:
        verbose_name = _("考勤记录")
        verbose_name_plural = _("考勤记录")
        ordering = ["-date", "member"]
        constraints = [models.UniqueConstraint(fields=["member", "date"], name="attendance_one_per_day")]


# --- 定点帮扶单位 ----------------------------------------------------------------------------------------------------

class UnitPairing(AuditedModel):
    """定点帮扶: a unit paired with a village for a period."""

    unit = models.CharField(_("帮扶单位"), max_length=100)
    unit_level = models.CharField(_("单位隶属关系"), max_length=1, choices=UnitLevel.choices, default=UnitLevel.COUNTY)
    village = models.ForeignKey("regions.Region", verbose_name=_("帮扶村"), on_delete=models.PROTECT,
                                related_name="unit_pairings")
    start = models.DateField(_("帮扶开始"))
    end = models.DateField(_("帮扶结束"), null=True, blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    masked_fields = ("phone",)

    class Meta:
        verbose_name = _("定点帮扶单位")
        verbose_name_plural = _("定点帮扶单位")
        ordering = ["village", "unit"]

    def __str__(self):
        return f"{self.unit} → {self.village_id}"


class PlanKind(models.TextChoices):
    """seed 003: 三年帮扶规划、年初有计划、年末有总结."""

    THREE_YEAR = "three_year", _("三年帮扶规划")
    PLAN = "plan", _("年度帮扶计划")
    SUMMARY = "summary", _("年度帮扶总结")


class UnitPlan(AuditedModel):
    """A unit's plan or summary for a year (a 三年规划 is filed under its first year)."""

    pairing = models.ForeignKey(UnitPairing, verbose_name=_("定点帮扶"), on_delete=models.CASCADE,
                                related_name="plans")
    village = models.ForeignKey("regions.Region", verbose_name=_("帮扶村"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=12, choices=PlanKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    text = models.TextField(_("内容"), max_length=20000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "pairing"

    class Meta:
        verbose_name = _("帮扶计划与总结")
        verbose_name_plural = _("帮扶计划与总结")
        ordering = ["-year", "kind"]
        constraints = [models.UniqueConstraint(fields=["pairing", "kind", "year"], name="unitplan_one_per_year")]

    def __str__(self):
        return f"{self.year}年{self.get_kind_display()}"


def plan_file_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"unit-plans/{instance.plan.pairing_id}/{timezone.now():%Y%m%d%H%M%S%f}{suffix}"


class PlanAttachment(models.Model):
    plan = models.ForeignKey(UnitPlan, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to=plan_file_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "plan__village__code"

    class Meta:
        verbose_name = _("计划总结附件")
        verbose_name_plural = _("计划总结附件")
        ordering = ["uploaded", "id"]
