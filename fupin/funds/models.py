"""扶贫资金: funds (资金指标) with their 文号, allocations to projects and households (资金分配), disbursements paid by
the bank (拨付明细, imported in batches), policy parameters, and the anomaly checks'
rules, runs and anomalies (规则、核查、异常).

A fund is a sum a region receives under one document for a year; allocations split it to projects (or to direct
household subsidies) in villages and townships; disbursements record what was actually paid, row by row from the
bank's files. Spending progress (支出进度) is disbursed ÷ allocated. Public disclosures are notices of the procedures
engine (``disclosures``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}


class FundSource(models.TextChoices):
    """资金来源 (docs/domain-facts.md §6: 财政专项, 统筹整合涉农资金, 东西协作/定点帮扶, 社会帮扶)."""

    CENTRAL = "central", _("中央财政")
    PROVINCIAL = "province", _("省级财政")
    CITY = "city", _("市级财政")
    COUNTY = "county", _("县级财政")
    INTEGRATED = "integrated", _("整合涉农资金")
    EAST_WEST = "east_west", _("东西部协作")
    PAIRED = "paired", _("定点帮扶")
    SOCIAL = "social", _("社会帮扶")


class Fund(AuditedModel):
    """资金指标: an amount a region (usually the county) receives for a year under one document (文号)."""

    region = models.ForeignKey("regions.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT,
                               related_name="+", help_text=_("接收资金的县（或乡镇）"))
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("资金来源"), max_length=12, choices=FundSource.choices)
    document_number = models.CharField(_("文号"), max_length=100, help_text=_("如 某财农〔2026〕12号"))
    document_date = models.DateField(_("下达日期"), null=True, blank=True)
    title = models.CharField(_("资金名称"), max_length=200)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    remarks = models.TextField(_("备注"), blank=True, max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("资金指标")
        verbose_name_plural = _("资金指标")
        ordering = ["-year", "region", "source", "id"]
        indexes = [models.Index(fields=["region", "year"]), models.Index(fields=["document_number"])]

    def __str__(self):
        return f"{self.title}（{self.document_number}）"


class AllocationStatus(models.TextChoices):
    ISSUED = "issued", _("已下达")
    WITHDRAWN = "withdrawn", _("已收回")


class Allocation(AuditedModel):
    """资金分配: part of a fund given to a project (or, without one, to a household subsidy) in a village or
    township. The issued allocations of a fund never add up to more than the fund."""

    fund = models.ForeignKey(Fund, verbose_name=_("资金指标"), on_delete=models.PROTECT, related_name="allocations")
    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="allocations",
                                help_text=_("直接补助到户的资金不关联项目"))
    region = models.ForeignKey("regions.Region", verbose_name=_("实施地区"), on_delete=models.PROTECT,
                               related_name="+", help_text=_("项目所在的村或乡镇"))
    item = models.CharField(_("资金项目"), max_length=200, help_text=_("项目或补贴名称，如 产业奖补、雨露计划"))
    amount = models.DecimalField(_("分配金额（元）"), **MONEY)
    allocated_on = models.DateField(_("分配日期"))
    document_number = models.CharField(_("分配文号"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=AllocationStatus.choices,
                              default=AllocationStatus.ISSUED)
    remarks = models.TextField(_("备注"), blank=True, max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"
    audit_parent_field = "fund"

    class Meta:
        verbose_name = _("资金分配")
        verbose_name_plural = _("资金分配")
        ordering = ["-allocated_on", "-id"]
        indexes = [models.Index(fields=["fund", "status"]), models.Index(fields=["region", "allocated_on"])]

    def __str__(self):
        return f"{self.item}（{self.amount}元）"


class BatchKind(models.TextChoices):
    DISBURSEMENT = "disbursement", _("拨付明细")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    LOADED = "loaded", _("已入库")
    REJECTED = "rejected", _("校验未通过")
    FAILED = "failed", _("失败")


class DisbursementBatch(AuditedModel):
    """One bank file of disbursements: its validation report and, in Disbursement, its rows (all or none)."""

    kind = models.CharField(_("类型"), max_length=16, choices=BatchKind.choices, default=BatchKind.DISBURSEMENT)
    # The uploading account's region; for a file loaded by the system, the region its villages lie in.
    region = models.ForeignKey("regions.Region", verbose_name=_("上传单位区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("文件名"), max_length=200)
    mapping = models.JSONField(_("列对应"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    rows = models.PositiveIntegerField(_("读取行数"), default=0)
    loaded = models.PositiveIntegerField(_("入库行数"), default=0)
    total_amount = models.DecimalField(_("合计金额（元）"), default=0, **MONEY)
    report = models.JSONField(_("校验报告"), default=dict)
    error_file = models.CharField(max_length=300, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("拨付批次")
        verbose_name_plural = _("拨付批次")
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.file_name}（#{self.pk}）"


class Disbursement(AuditedModel):
    """拨付明细: one payment from a bank file, to a payee, out of an allocation (or straight from a fund).

    The foreign keys carry no database constraint: rows are only written in bulk with their batch after every
    reference was checked, and a million-row file would otherwise pay four million key checks at commit. Django's
    on_delete still protects the allocations and funds they point to.
    """

    id = models.BigAutoField(primary_key=True)
    batch = models.ForeignKey(DisbursementBatch, verbose_name=_("批次"), on_delete=models.CASCADE,
                              related_name="disbursements", db_constraint=False)
    row_no = models.PositiveIntegerField(_("行号"), default=0)
    allocation = models.ForeignKey(Allocation, verbose_name=_("资金分配"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="disbursements", db_constraint=False)
    fund = models.ForeignKey(Fund, verbose_name=_("资金指标"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="disbursements", db_constraint=False)
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT,
                                related_name="+", db_constraint=False)
    item = models.CharField(_("资金项目"), max_length=200, blank=True)
    voucher_number = models.CharField(_("凭证号"), max_length=60, blank=True)
    payee_name = models.CharField(_("收款人"), max_length=100)
    payee_id_number = models.CharField(_("收款人证件号码"), max_length=18, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=32, blank=True)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    paid_on = models.DateField(_("拨付日期"))

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "batch"
    masked_fields = ("payee_id_number", "bank_account")

    class Meta:
        verbose_name = _("拨付明细")
        verbose_name_plural = _("拨付明细")
        ordering = ["-paid_on", "-id"]
        indexes = [
            models.Index(fields=["payee_id_number"]),
            models.Index(fields=["allocation"]),
            models.Index(fields=["village", "paid_on"]),
        ]

    def __str__(self):
        return f"{self.payee_name} {self.amount}元"


class ParameterCode(models.TextChoices):
    """The policy figures the funds pages and checks read (values and sources in migrations/0002_parameters.json)."""

    DISCLOSURE_DAYS = "disclosure_days", _("公告公示天数")
    IDLE_DAYS = "idle_days", _("资金闲置天数")
    TARGET_03 = "target_03", _("3月底支出进度目标")
    TARGET_06 = "target_06", _("6月底支出进度目标")
    TARGET_09 = "target_09", _("9月底支出进度目标")
    TARGET_11 = "target_11", _("11月底支出进度目标")
    TARGET_12 = "target_12", _("12月底支出进度目标")


class FundParameter(AuditedModel):
    """A policy figure per year and region with its source; the most specific region, then the exact year, wins."""

    code = models.CharField(_("参数"), max_length=20, choices=ParameterCode.choices)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True, help_text=_("留空为各年度通用"))
    region = models.ForeignKey("regions.Region", verbose_name=_("适用区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", help_text=_("留空为全国默认"))
    value = models.DecimalField(_("取值"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    source = models.CharField(_("依据"), max_length=300, blank=True, help_text=_("文件名称和文号"))
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("资金参数")
        verbose_name_plural = _("资金参数")
        ordering = ["code", "region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["code", "year", "region"], name="funds_parameter_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(year__isnull=True, region__isnull=True),
                                    name="funds_parameter_unique_default"),
        ]

    def __str__(self):
        return f"{self.get_code_display()} = {self.value}{self.unit}"


class Severity(models.IntegerChoices):
    LOW = 1, _("一般")
    MEDIUM = 2, _("较重")
    HIGH = 3, _("严重")


class FundRule(AuditedModel):
    """An anomaly rule: a SQL boolean condition over the disbursement-facts table (``checks``)."""

    code = models.CharField(_("规则代码"), max_length=20, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    condition = models.TextField(_("触发条件"), help_text=_("拨付事实表上的 SQL 条件"))
    severity = models.PositiveSmallIntegerField(_("严重程度"), choices=Severity.choices, default=Severity.MEDIUM)
    enabled = models.BooleanField(_("启用"), default=True)
    builtin = models.BooleanField(_("内置"), default=False, editable=False)
    region = models.ForeignKey("regions.Region", verbose_name=_("设置单位"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", help_text=_("留空为系统规则"))
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("资金异常规则")
        verbose_name_plural = _("资金异常规则")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class FundCheckRun(AuditedModel):
    """One evaluation of the enabled fund rules over a region for a year."""

    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey("regions.Region", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    rules = models.JSONField(_("参与规则"), default=list)
    scanned = models.PositiveIntegerField(_("扫描拨付笔数"), default=0)
    opened = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    closed = models.PositiveIntegerField(_("消除"), default=0)
    seconds = models.FloatField(_("耗时（秒）"), default=0)
    warnings = models.JSONField(_("提示"), default=list)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    started = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("资金核查")
        verbose_name_plural = _("资金核查")
        ordering = ["-started", "-id"]

    def __str__(self):
        return f"{self.year}年资金核查 #{self.pk}"


class AnomalyStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    CONFIRMED = "confirmed", _("属实")
    REJECTED = "rejected", _("不属实")
    RECTIFIED = "rectified", _("已整改")
    CLOSED = "closed", _("已消除")


class Anomaly(AuditedModel):
    """资金异常: a rule's finding about one subject (a payment, a payee, an allocation), sent to the region that must
    answer. ``subject_key`` identifies the subject across runs, so re-running refreshes instead of copying."""

    rule = models.ForeignKey(FundRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="anomalies")
    run = models.ForeignKey(FundCheckRun, verbose_name=_("最近核查"), null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="anomalies")
    subject_key = models.CharField(max_length=60)
    region = models.ForeignKey("regions.Region", verbose_name=_("责任单位"), on_delete=models.PROTECT,
                               related_name="+", help_text=_("须核实答复的村、乡镇或县"))
    disbursement = models.ForeignKey(Disbursement, verbose_name=_("拨付明细"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="anomalies")
    allocation = models.ForeignKey(Allocation, verbose_name=_("资金分配"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="anomalies")
    fund = models.ForeignKey(Fund, verbose_name=_("资金指标"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="anomalies")
    payee_name = models.CharField(_("收款人"), max_length=100, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=18, blank=True)
    amount = models.DecimalField(_("涉及金额（元）"), null=True, blank=True, **MONEY)
    figures = models.JSONField(_("异常依据"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=AnomalyStatus.choices, default=AnomalyStatus.PENDING)
    answer = models.TextField(_("核实说明"), blank=True, max_length=2000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核实人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    # A 待核实 anomaly a later run no longer finds is closed (answered ones keep their answer).
    closed_at = models.DateTimeField(_("消除时间"), null=True, blank=True)
    first_seen = models.DateTimeField(_("首次发现"), auto_now_add=True)
    last_seen = models.DateTimeField(_("最近发现"))

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"
    masked_fields = ("id_number",)

    class Meta:
        verbose_name = _("资金异常")
        verbose_name_plural = _("资金异常")
        ordering = ["region", "rule", "-last_seen"]
        constraints = [models.UniqueConstraint(fields=["rule", "subject_key"], name="anomaly_one_per_rule_subject")]
        indexes = [models.Index(fields=["region", "status"]), models.Index(fields=["rule", "status"])]

    def __str__(self):
        return f"{self.rule.code}：{self.payee_name or self.subject_key}"
