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
