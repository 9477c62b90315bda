"""防返贫监测: rules and parameters as data, runs, alerts (预警) and leads, risk events, monitored households
(监测对象), and data-quality findings (逻辑校验).

Rules are SQL boolean conditions over the household-facts table documented in ``engine.FACTS``; the engine
validates them and runs them set-based where the data lives. Parameters (thresholds) are per year and region and
appear in conditions as ``:code``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}


# The procedure kinds of the monitoring procedures on the procedures engine: 监测对象认定, 风险消除, and the two that
# correct an elimination, 风险再标注 (risk returned) and 风险消除回退 (elimination approved in error).
INCLUSION = "monitoring"
ELIMINATION = "elimination"
REFLAG = "reflag"
ROLLBACK = "elim_rollback"
MONITORING_KINDS = (INCLUSION, ELIMINATION, REFLAG, ROLLBACK)


class Family(models.TextChoices):
    MONITORING = "monitoring", _("监测预警")
    QUALITY = "quality", _("逻辑校验")


class Severity(models.IntegerChoices):
    """An alert's grade: a rule's base grade, raised by its 较重/严重 conditions (how far past the threshold)."""

    LOW = 1, _("一般")
    MEDIUM = 2, _("较重")
    HIGH = 3, _("严重")


class RiskType(models.TextChoices):
    """返贫致贫风险类型 (docs/domain-facts.md §2.2; local codes, national table 100A27 not confirmed)."""

    ILLNESS = "01", _("因病")
    DISASTER = "02", _("因自然灾害")
    DISABILITY = "03", _("因残")
    LABOUR = "04", _("缺劳动力")
    ACCIDENT = "05", _("因意外事故")
    INDUSTRY = "06", _("因产业项目失败")
    EMPLOYMENT = "07", _("因务工就业不稳")
    WATER = "08", _("因安全饮水")
    SCHOOLING = "09", _("因学")
    HOUSING = "10", _("住房出现安全问题")
    OTHER = "99", _("其他")


MAX_RISKS = 5


class Rule(AuditedModel):
    """A monitoring rule or a data-quality check: a Chinese name and a condition over the household facts.

    A rule with a region applies to that region's subtree and replaces a rule of the same code set higher up.
    """

    family = models.CharField(_("类别"), max_length=12, choices=Family.choices, default=Family.MONITORING)
    code = models.CharField(_("规则代码"), max_length=20, help_text=_("如 M01；同一代码的县级规则覆盖上级规则"))
    name = models.CharField(_("规则名称"), max_length=100)
    condition = models.TextField(
        _("触发条件"), help_text=_("户事实表上的 SQL 条件，如 per_capita_income < monitoring_line；参数写作 :参数代码")
    )
    severity = models.PositiveSmallIntegerField(_("严重程度"), choices=Severity.choices, default=Severity.MEDIUM,
                                                help_text=_("触发时的基本等级；满足下面的较重或严重条件时升级"))
    heavier_condition = models.TextField(
        _("较重条件"), blank=True,
        help_text=_("触发后再满足此条件即为“较重”，如 per_capita_income < monitoring_line * (100 - :income_gap_heavier_pct) / 100"),
    )
    severe_condition = models.TextField(
        _("严重条件"), blank=True, help_text=_("触发后再满足此条件即为“严重”，如 per_capita_income < poverty_line"),
    )
    risk_type = models.CharField(_("对应风险类型"), max_length=2, choices=RiskType.choices, blank=True)
    year_from = models.PositiveSmallIntegerField(_("起始年度"), null=True, blank=True)
    year_to = models.PositiveSmallIntegerField(_("截止年度"), null=True, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("适用区划"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("留空为全部区划"),
    )
    enabled = models.BooleanField(_("启用"), default=True)
    description = models.TextField(_("说明"), blank=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("监测规则")
        verbose_name_plural = _("监测规则")
        ordering = ["family", "code", "region"]
        constraints = [
            models.UniqueConstraint(fields=["code", "region"], name="monitoring_rule_unique_region"),
            models.UniqueConstraint(fields=["code"], condition=Q(region__isnull=True), name="monitoring_rule_unique"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def applies_to_year(self, year: int) -> bool:
        return (self.year_from is None or self.year_from <= year) and (self.year_to is None or year <= self.year_to)


class Parameter(AuditedModel):
    """A threshold a rule or a procedure reads (``:code`` in conditions), per year and region; the most specific
    region, then the exact year, wins."""

    code = models.CharField(_("参数代码"), max_length=40)
    name = models.CharField(_("参数名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True, help_text=_("留空为各年度通用"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("适用区划"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("留空为全国默认；可按省、市、县设置"),
    )
    value = models.DecimalField(_("取值"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("监测参数")
        verbose_name_plural = _("监测参数")
        ordering = ["code", "region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["code", "year", "region"], name="monitoring_parameter_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(year__isnull=True, region__isnull=True),
                name="monitoring_parameter_unique_default",
            ),
        ]

    def __str__(self):
        return f"{self.name} = {self.value}{self.unit}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Run(AuditedModel):
    """One evaluation of the enabled rules of a family over a region for a year, with its summary."""

    family = models.CharField(_("类别"), max_length=12, choices=Family.choices, default=Family.MONITORING)
    region = models.ForeignKey("regions.Region", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    rules = models.JSONField(_("参与规则"), default=list)
    scanned = models.PositiveIntegerField(_("扫描户数"), default=0)
    opened = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    closed = models.PositiveIntegerField(_("关闭"), default=0)
    seconds = models.FloatField(_("耗时（秒）"), default=0)
    warnings = models.JSONField(_("提示"), default=list)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    started = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("运行记录")
        verbose_name_plural = _("运行记录")
        ordering = ["-started", "-id"]

    def __str__(self):
        return f"{self.region.name}{self.year}年{self.get_family_display()} #{self.pk}"

    def summary(self) -> dict:
        return {
            "run": self.pk, "family": self.family, "region": self.region_id, "year": self.year,
            "households_scanned": self.scanned, "alerts_opened": self.opened, "alerts_updated": self.updated_count,
            "alerts_closed": self.closed, "alerts_unchanged": self.unchanged, "seconds": round(self.seconds, 3),
            "warnings": self.warnings,
        }


class Source(models.TextChoices):
    RULE = "rule", _("系统预警")
    SELF_REPORT = "self", _("农户自主申报")
    CADRE = "cadre", _("干部走访排查")
    DEPARTMENT = "department", _("部门筛查预警")


class AlertStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    IN_PROCEDURE = "procedure", _("认定中")
    INCLUDED = "included", _("已纳入监测")
    NO_RISK = "no_risk", _("核实无风险")
    NOT_INCLUDED = "rejected", _("认定未通过")
    CLOSED = "closed", _("已自动关闭")


OPEN_ALERT_STATUSES = (AlertStatus.PENDING, AlertStatus.IN_PROCEDURE)


class Alert(AuditedModel):
    """预警 / 线索: a household to verify, from a rule run or a lead (self-report, cadre, department).

    At most one open alert per household: a later run or lead updates it instead of adding a duplicate.
    ``figures`` keeps, per fired rule, the facts and thresholds that made it fire.
    """

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.CASCADE,
                                  related_name="monitoring_alerts")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.RULE)
    status = models.CharField(_("状态"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.PENDING,
                              db_index=True)
    rules = models.CharField(_("触发规则"), max_length=200, blank=True, help_text=_("规则代码，逗号分隔"))
    figures = models.JSONField(_("触发数据"), default=dict, blank=True)
    fingerprint = models.CharField(max_length=32, blank=True, editable=False)
    severity = models.PositiveSmallIntegerField(_("严重程度"), choices=Severity.choices, default=Severity.MEDIUM)
    firing = models.BooleanField(_("规则仍触发"), default=True)
    description = models.TextField(_("线索内容"), blank=True)
    reporter = models.CharField(_("报告人"), max_length=100, blank=True)
    reporter_contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    due = models.DateField(_("核实期限"), null=True, blank=True)
    first_run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verification = models.TextField(_("核实意见"), blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    verified = models.DateTimeField(_("核实时间"), null=True, blank=True)
    procedure = models.ForeignKey("procedures.Procedure", verbose_name=_("认定程序"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("发现时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    closed = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(status__in=["pending", "procedure"]), name="monitoring_alert_one_open"
            )
        ]
        indexes = [models.Index(fields=["village", "status"]), models.Index(fields=["status", "due"])]

    def __str__(self):
        return f"预警 #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ALERT_STATUSES

    @property
    def rule_codes(self) -> list[str]:
        return [c for c in self.rules.split(",") if c]

    @property
    def is_overdue(self) -> bool:
        return self.status == AlertStatus.PENDING and self.due is not None and self.due < timezone.localdate()


class EventKind(models.TextChoices):
    """Risk events a cadre records or a department list reports; the facts table counts them per year."""

    SERIOUS_ILLNESS = "illness", _("新发重大疾病")
    DISABILITY = "disability", _("新增残疾")
    DEATH = "death", _("家庭成员死亡")
    DISASTER = "disaster", _("遭受自然灾害")
    ACCIDENT = "accident", _("意外事故")
    UNEMPLOYMENT = "unemployment", _("主要劳动力失业")
    INDUSTRY_LOSS = "industry", _("产业经营失败")
    LARGE_EXPENSE = "expense", _("大额刚性支出")
    CREDIT = "credit", _("小额信贷逾期或违规使用")


class RiskEvent(AuditedModel):
    """风险事件: something that happened to a household (disaster, illness, death, lost job …), with its date."""

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.CASCADE,
                                  related_name="risk_events")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("事件类型"), max_length=12, choices=EventKind.choices)
    date = models.DateField(_("发生日期"))
    member_name = models.CharField(_("涉及成员"), max_length=50, blank=True)
    amount = models.DecimalField(_("损失或支出（元）"), null=True, blank=True, **MONEY)
    description = models.CharField(_("情况说明"), max_length=500, blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.CADRE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("风险事件")
        verbose_name_plural = _("风险事件")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["household", "date"])]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.date:%Y-%m-%d}）"


class IncomeCheck(AuditedModel):
    """收入核查: a dated record of a household's per-capita net income over the 12 months before the check
    (docs/domain-facts.md §10). Risk elimination counts the months income has stayed above the monitoring range
    from these records (docs/domain-facts.md §2.2: 收入持续稳定，原则上不得低于半年)."""

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.CASCADE,
                                  related_name="income_checks")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField(_("核查日期"))
    per_capita_income = models.DecimalField(_("人均纯收入（近12个月，元）"), **MONEY)
    note = models.CharField(_("情况说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("收入核查")
        verbose_name_plural = _("收入核查")
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["household", "checked_on"])]

    def __str__(self):
        return f"收入核查（{self.checked_on:%Y-%m-%d}，人均{self.per_capita_income}元）"


class MonitoredKind(models.TextChoices):
    UNSTABLE = "1", _("脱贫不稳定户")
    EDGE = "2", _("边缘易致贫户")
    SUDDEN = "3", _("突发严重困难户")


class MonitoredStatus(models.TextChoices):
    MONITORING = "monitoring", _("监测帮扶中")
    ELIMINATED = "eliminated", _("风险已消除")


class EliminationMethod(models.TextChoices):
    ASSISTED = "assisted", _("帮扶消除")
    NATURAL = "natural", _("自然消除")


class MonitoredHousehold(AuditedModel):
    """监测对象: a household under monitoring from its identification until risk elimination.

    A household whose risk returns after elimination gets a new row, so the history of both periods stays.
    """

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="monitoring_records")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("监测对象类别"), max_length=1, choices=MonitoredKind.choices)
    year = models.PositiveSmallIntegerField(_("纳入年度"))
    identified_on = models.DateField(_("识别监测时间"))
    risks = models.CharField(_("风险类型"), max_length=20, help_text=_("风险类型代码，逗号分隔，最多五项"))
    per_capita_income = models.DecimalField(_("纳入时人均纯收入"), null=True, blank=True, **MONEY)
    monitoring_line = models.DecimalField(_("纳入时监测范围"), null=True, blank=True, **MONEY)
    status = models.CharField(_("状态"), max_length=12, choices=MonitoredStatus.choices,
                              default=MonitoredStatus.MONITORING, db_index=True)
    no_work_capacity = models.BooleanField(_("整户无劳动能力"), default=False,
                                           help_text=_("兜底保障后暂不标注风险消除，继续监测"))
    elimination_method = models.CharField(_("风险消除方式"), max_length=10, choices=EliminationMethod.choices,
                                          blank=True)
    eliminated_on = models.DateField(_("风险消除时间"), null=True, blank=True)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    inclusion_procedure = models.ForeignKey("procedures.Procedure", verbose_name=_("认定程序"), null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    elimination_procedure = models.ForeignKey("procedures.Procedure", verbose_name=_("风险消除程序"), null=True,
                                              blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("监测对象")
        verbose_name_plural = _("监测对象")
        ordering = ["-identified_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(status="monitoring"),
                                    name="monitored_household_one_open")
        ]
        indexes = [models.Index(fields=["village", "status"]), models.Index(fields=["kind", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.household_id}"

    @property
    def risk_codes(self) -> list[str]:
        return [c for c in self.risks.split(",") if c]

    @property
    def risk_labels(self) -> str:
        names = dict(RiskType.choices)
        return "、".join(str(names.get(c, c)) for c in self.risk_codes)


class Finding(AuditedModel):
    """逻辑校验问题: one data-quality check firing on one household; ``fixed`` is set once it stops firing."""

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.CASCADE,
                                  related_name="quality_findings")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(Rule, verbose_name=_("校验规则"), on_delete=models.CASCADE, related_name="findings")
    year = models.PositiveSmallIntegerField(_("年度"))
    figures = models.JSONField(_("问题数据"), default=dict, blank=True)
    first_seen = models.DateTimeField(_("发现时间"), auto_now_add=True)
    last_run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    fixed = models.DateTimeField(_("整改时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("逻辑校验问题")
        verbose_name_plural = _("逻辑校验问题")
        ordering = ["village", "household", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["household", "rule"], condition=Q(fixed__isnull=True),
                                    name="finding_one_open_per_rule")
        ]
        indexes = [models.Index(fields=["village", "fixed"])]

    def __str__(self):
        return f"{self.rule.name}（{self.household_id}）"
