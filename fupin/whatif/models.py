"""政策模拟: a county's scenario (模拟方案) — changes to its poverty line, monitoring range, a monitoring parameter or
rule condition, or a policy figure — run on a snapshot by the same engines as the live configuration, with its
result per township, the households it moves, the cost, and its separate adoption (docs/architecture.md).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}


class ScenarioChangeKind(models.TextChoices):
    POVERTY_LINE = "poverty_line", _("扶贫标准")
    MONITORING_LINE = "monitoring_line", _("监测范围")
    PARAMETER = "parameter", _("监测参数")
    RULE = "rule", _("监测规则条件")
    FIGURE = "figure", _("政策标准")


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", _("未运行")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已运行")
    FAILED = "failed", _("运行失败")
    ADOPTED = "adopted", _("已采纳")


class Outcome(models.TextChoices):
    """How a household's standing differs between the live configuration (baseline) and the scenario."""

    ENTER = "enter", _("新纳入监测预警")
    LEAVE = "leave", _("移出监测预警")
    EXIT_PASS = "exit_pass", _("新符合脱贫条件")
    EXIT_FAIL = "exit_fail", _("不再符合脱贫条件")
    DIBAO = "dibao", _("新低于低保标准")


class Scenario(AuditedModel):
    """A county's what-if scenario for a year; the last run's result is kept with it."""

    county = models.ForeignKey("regions.Region", verbose_name=_("县"), on_delete=models.PROTECT,
                               related_name="whatif_scenarios")
    year = models.PositiveSmallIntegerField(_("年度"), help_text=_("测算所用收支与核查的年度"))
    name = models.CharField(_("方案名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True, max_length=2000)
    status = models.CharField(_("状态"), max_length=10, choices=ScenarioStatus.choices, default=ScenarioStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    # The changes were edited after the last run: its result no longer describes them.
    changed_since_run = models.BooleanField(_("运行后已修改"), default=False)
    job = models.ForeignKey("jobs.Job", verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    ran_at = models.DateTimeField(_("运行时间"), null=True, blank=True)
    # The live value of each change when the run read it (adoption refuses if any moved since): list of
    # {"change": id, "value": str|None, "condition": str, "source": str}.
    baseline = models.JSONField(_("运行时现行值"), default=list, blank=True)
    # {"townships": [...], "totals": {...}, "costs": [...], "warnings": [...], "households": n}
    result = models.JSONField(_("测算结果"), default=dict, blank=True)
    adopted_at = models.DateTimeField(_("采纳时间"), null=True, blank=True)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("采纳人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_field = "county__code"
    audit_region_field = "county"

    class Meta:
        verbose_name = _("模拟方案")
        verbose_name_plural = _("模拟方案")
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["county", "year"])]

    def __str__(self):
        return f"{self.year}年{self.name}"


class ScenarioChange(AuditedModel):
    """One change of a scenario: a line (扶贫标准, 监测范围), a monitoring parameter (``target`` = its code), a rule's
    condition (``target`` = the rule code) or a policy figure (``target`` = the figure code, e.g. 农村低保标准)."""

    scenario = models.ForeignKey(Scenario, verbose_name=_("模拟方案"), on_delete=models.CASCADE,
                                 related_name="changes")
    kind = models.CharField(_("调整项"), max_length=20, choices=ScenarioChangeKind.choices)
    target = models.CharField(_("参数、规则或标准代码"), max_length=40, blank=True)
    value = models.DecimalField(_("模拟取值"), null=True, blank=True, **MONEY)
    condition = models.TextField(_("模拟触发条件"), blank=True, max_length=2000)

    objects = ScopedQuerySet.as_manager()
    scope_field = "scenario__county__code"
    audit_region_field = "scenario.county"
    audit_parent_field = "scenario"

    class Meta:
        verbose_name = _("模拟调整项")
        verbose_name_plural = _("模拟调整项")
        ordering = ["scenario", "id"]
        constraints = [models.UniqueConstraint(fields=["scenario", "kind", "target"], name="whatif_change_unique")]

    def __str__(self):
        return f"{self.get_kind_display()}{(' ' + self.target) if self.target else ''}"


class ScenarioHousehold(models.Model):
    """A household the last run moved: what changes for it and the figures that decided it (written in bulk by
    the run, replaced by the next one; not audited one by one — the run is)."""

    scenario = models.ForeignKey(Scenario, verbose_name=_("模拟方案"), on_delete=models.CASCADE,
                                 related_name="households")
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.CASCADE,
                                  related_name="whatif_outcomes")
    village = models.ForeignKey("regions.Region", verbose_name=_("村"), on_delete=models.PROTECT,
                                related_name="whatif_outcomes")
    outcome = models.CharField(_("变化"), max_length=10, choices=Outcome.choices)
    size = models.PositiveSmallIntegerField(_("家庭人口数"), default=0)
    per_capita_income = models.DecimalField(_("人均纯收入（元）"), null=True, blank=True, **MONEY)
    before = models.DecimalField(_("现行标准（元）"), null=True, blank=True, **MONEY)
    after = models.DecimalField(_("模拟标准（元）"), null=True, blank=True, **MONEY)
    rules_before = models.CharField(_("现行触发规则"), max_length=200, blank=True)
    rules_after = models.CharField(_("模拟触发规则"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"

    class Meta:
        verbose_name = _("模拟影响户")
        verbose_name_plural = _("模拟影响户")
        ordering = ["scenario", "village", "outcome", "household"]
        indexes = [models.Index(fields=["scenario", "outcome"])]

    def __str__(self):
        return f"{self.household_id} {self.get_outcome_display()}"
