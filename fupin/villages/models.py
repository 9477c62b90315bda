"""贫困村出列评估: the policy figures of a village's exit (贫困发生率 limit, 集体经济收入 minimum, the income-growth
rule) by year and region, the county's indicator checklist (九有 / 五通十有 …), each village's yearly data and
checklist answers with their evidence, and the village exit procedure (村申请 → 村级公示 → 乡镇审核 → 县级审定 →
县级公告) run on the procedures engine's step data (kind ``village_exit``, docs/domain-facts.md §3.4)."""

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet
from fupin.procedures.models import Decision, StepFields, StepStatus

EXIT_KIND = "village_exit"
MONEY = {"max_digits": 14, "decimal_places": 2}


class ParameterCode(models.TextChoices):
    INCIDENCE_LIMIT = "incidence_limit", _("贫困发生率上限")
    COLLECTIVE_INCOME_MIN = "collective_min", _("村集体经济收入下限")
    GROWTH_RULE = "growth_rule", _("人均收入增幅不低于全县平均")
    COUNTY_GROWTH = "county_growth", _("全县农村居民人均收入平均增幅")


class VillageParameter(AuditedModel):
    """A figure of village exit for a year and a region prefix (省 2 digits, 县 6 …; blank = national) with its
    source; the longest prefix covering the village wins, then the exact year over the all-years row. A prefix, not
    a region row, so the western provinces' 3 % stands without their regions being in the tree."""

    code = models.CharField(_("参数"), max_length=20, choices=ParameterCode.choices)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True, help_text=_("留空为各年度通用"))
    region_prefix = models.CharField(_("适用区划代码前缀"), max_length=12, blank=True,
                                     help_text=_("省2位、市4位、县6位、乡镇9位；留空为全国默认"))
    value = models.DecimalField(_("取值"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    source = models.CharField(_("依据"), max_length=300, blank=True, help_text=_("文件名称和文号"))
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    audit_region_field = "region_prefix"

    class Meta:
        verbose_name = _("出列参数")
        verbose_name_plural = _("出列参数")
        ordering = ["code", "region_prefix", "year"]
        constraints = [
            models.UniqueConstraint(fields=["code", "year", "region_prefix"], name="villages_param_unique"),
            models.UniqueConstraint(fields=["code", "region_prefix"], condition=Q(year__isnull=True),
                                    name="villages_param_unique_all_years"),
        ]

    def __str__(self):
        return f"{self.get_code_display()} = {self.value}{self.unit}"


class IndicatorGroup(models.TextChoices):
    INDUSTRY = "industry", _("产业发展")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    SERVICE = "service", _("公共服务")
    OTHER = "other", _("其他")


class Indicator(AuditedModel):
    """One item of the exit checklist (九有 …). The items of the most specific region that has any apply (a county's
    own list replaces the national one); ``required`` items must be met for the village to pass."""

    region = models.ForeignKey("regions.Region", verbose_name=_("适用区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", help_text=_("留空为全国默认清单"))
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("指标"), max_length=100)
    group = models.CharField(_("类别"), max_length=16, choices=IndicatorGroup.choices, default=IndicatorGroup.OTHER)
    required = models.BooleanField(_("必达"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    description = models.CharField(_("达标要求"), max_length=300, blank=True)
    source = models.CharField(_("依据"), max_length=300, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("出列指标")
        verbose_name_plural = _("出列指标")
        ordering = ["region", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="villages_indicator_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(region__isnull=True),
                                    name="villages_indicator_unique_national"),
        ]

    def __str__(self):
        return self.name


class VillageYear(AuditedModel):
    """A village's figures for a year: 户籍人口 (rural registered population), 村集体经济收入, 农村居民人均可支配收入."""

    village = models.ForeignKey("regions.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    rural_population = models.PositiveIntegerField(_("农业户籍人口"), null=True, blank=True,
                                                   help_text=_("本村农业户籍人口（公安户籍数）"))
    collective_income = models.DecimalField(_("村集体经济收入（元）"), null=True, blank=True, **MONEY)
    per_capita_income = models.DecimalField(_("人均可支配收入（元）"), null=True, blank=True, **MONEY)
    remarks = models.CharField(_("备注"), max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"

    class Meta:
        verbose_name = _("村年度数据")
        verbose_name_plural = _("村年度数据")
        ordering = ["-year", "village"]
        constraints = [models.UniqueConstraint(fields=["village", "year"], name="villages_year_unique")]

    def __str__(self):
        return f"{self.village_id} {self.year}"


class IndicatorAnswer(AuditedModel):
    """Whether a village met a checklist item in a year, with what shows it."""

    village = models.ForeignKey("regions.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="answers")
    met = models.BooleanField(_("是否达标"))
    note = models.CharField(_("佐证说明"), max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"

    class Meta:
        verbose_name = _("指标达标情况")
        verbose_name_plural = _("指标达标情况")
        ordering = ["village", "year", "indicator__position"]
        constraints = [models.UniqueConstraint(fields=["village", "year", "indicator"], name="villages_answer_unique")]


def evidence_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"villages/{instance.answer.village_id}/{timezone.now():%Y%m%d%H%M%S%f}{suffix}"


class Evidence(models.Model):
    """A file showing an answer (照片, 验收单, 账册 …), served through the scoped evidence view."""

    answer = models.ForeignKey(IndicatorAnswer, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "answer__village__code"

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["answer", "id"]


class ExitStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("办理中")
    APPROVED = "approved", _("已出列")
    REJECTED = "rejected", _("未通过")


class VillageExit(AuditedModel):
    """One village's exit procedure for a year; ``figures`` keeps the assessment it was started on."""

    village = models.ForeignKey("regions.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("出列年度"))
    status = models.CharField(_("状态"), max_length=12, choices=ExitStatus.choices, default=ExitStatus.IN_PROGRESS)
    current_order = models.PositiveSmallIntegerField(_("当前环节"), null=True, blank=True)
    figures = models.JSONField(_("评估结果"), default=dict, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("发起时间"), auto_now_add=True)
    approved_on = models.DateField(_("出列日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"

    class Meta:
        verbose_name = _("贫困村出列")
        verbose_name_plural = _("贫困村出列")
        ordering = ["-year", "village"]
        constraints = [models.UniqueConstraint(fields=["village"], condition=Q(status="in_progress"),
                                               name="villages_one_open_exit")]

    def __str__(self):
        return f"{self.village.name}{self.year}年出列"

    @property
    def current_step(self):
        if self.current_order is None:
            return None
        return next((s for s in self.steps.all() if s.order == self.current_order), None)


class VillageExitStep(StepFields):
    exit = models.ForeignKey(VillageExit, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(_("状态"), max_length=10, choices=StepStatus.choices, default=StepStatus.WAITING)
    started = models.DateField(_("开始日期"), null=True, blank=True)
    due = models.DateField(_("办理期限"), null=True, blank=True)
    finished = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "exit__village__code"

    class Meta:
        verbose_name = _("出列环节")
        verbose_name_plural = _("出列环节")
        ordering = ["exit", "order"]
        constraints = [models.UniqueConstraint(fields=["exit", "order"], name="villages_step_unique_order")]


class VillageExitAction(models.Model):
    exit = models.ForeignKey(VillageExit, on_delete=models.CASCADE, related_name="actions")
    step = models.ForeignKey(VillageExitStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(_("办理结果"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("办理意见"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("办理人"), max_length=150, blank=True)
    time = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("出列办理记录")
        verbose_name_plural = _("出列办理记录")
        ordering = ["time", "id"]
