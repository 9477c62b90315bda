"""统计: the pre-aggregated figures every dashboard and report reads, the record of their rebuilds, the yearly
targets (目标任务) and the standard report templates (报表).

Figures are rows (region, year, indicator, dimension, value) at every level from the village up; a rebuild after
each batch replaces them (``rebuild.py``), so no page counts households while it is shown.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet

VALUE = {"max_digits": 20, "decimal_places": 2}


class Figure(models.Model):
    """One aggregate: an indicator's value (for one dimension value, or '' where it has none) in a region and
    year. A region's total over the dimensions is the sum of its rows."""

    region_code = models.CharField(_("区划代码"), max_length=12)
    level = models.PositiveSmallIntegerField(_("级别"))
    year = models.PositiveSmallIntegerField(_("年度"))
    indicator = models.CharField(_("指标"), max_length=40)
    dimension = models.CharField(_("分组"), max_length=40, blank=True)
    value = models.DecimalField(_("数值"), **VALUE)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_code"

    class Meta:
        verbose_name = _("统计数据")
        verbose_name_plural = _("统计数据")
        constraints = [models.UniqueConstraint(fields=["year", "indicator", "region_code", "dimension"],
                                               name="stats_figure_unique")]
        indexes = [models.Index(fields=["year", "region_code"], name="stats_figure_region")]


class Rebuild(models.Model):
    """A rebuild of the figures of one county ('' for all) and year: when, how long, how many rows."""

    prefix = models.CharField(_("范围"), max_length=12, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    finished = models.DateTimeField(_("完成时间"), auto_now_add=True)
    seconds = models.DecimalField(_("耗时（秒）"), max_digits=10, decimal_places=2)
    rows = models.PositiveIntegerField(_("数据行数"))
    trigger = models.CharField(_("触发"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("统计重算记录")
        verbose_name_plural = _("统计重算记录")
        indexes = [models.Index(fields=["year", "prefix", "-finished"], name="stats_rebuild_latest")]


class Target(AuditedModel):
    """目标任务: what a region is to reach in a year on one indicator (people to exit, funds to spend …),
    entered by the county and shown against the figures."""

    region = models.ForeignKey("regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    indicator = models.CharField(_("指标"), max_length=40)
    value = models.DecimalField(_("目标值"), **VALUE)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("目标任务")
        verbose_name_plural = _("目标任务")
        ordering = ["-year", "region", "indicator"]
        constraints = [models.UniqueConstraint(fields=["region", "year", "indicator"], name="stats_target_unique")]

    def __str__(self):
        return f"{self.year}年目标任务"


class Period(models.TextChoices):
    MONTHLY = "monthly", _("月报")
    YEARLY = "yearly", _("年报")


class ReportTemplate(models.Model):
    """报表: a table a county sends upward, its rows the regions one level below the chosen one and a total, its
    columns indicators; kept as data so a county adds or adjusts one without a release."""

    code = models.CharField(_("报表代码"), max_length=20, unique=True)
    title = models.CharField(_("报表名称"), max_length=100)
    period = models.CharField(_("报送周期"), max_length=8, choices=Period.choices)
    unit = models.CharField(_("计量单位说明"), max_length=100, blank=True, help_text=_("如：单位：户、人、万元"))
    note = models.CharField(_("填报说明"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("报表模板")
        verbose_name_plural = _("报表模板")
        ordering = ["order", "code"]

    def __str__(self):
        return self.title


class ReportColumn(models.Model):
    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="columns")
    order = models.PositiveSmallIntegerField(_("列序"))
    group = models.CharField(_("上级表头"), max_length=60, blank=True, help_text=_("相邻列的相同上级表头合并显示"))
    header = models.CharField(_("表头"), max_length=60)
    indicator = models.CharField(_("指标"), max_length=40)
    dimension = models.CharField(_("分组"), max_length=40, blank=True, help_text=_("留空为合计"))

    class Meta:
        verbose_name = _("报表列")
        verbose_name_plural = _("报表列")
        ordering = ["template", "order"]
