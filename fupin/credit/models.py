"""扶贫小额信贷: loans per household and borrower, their schedules and repayments, interest subsidy periods, the risk
events they raised, the county's risk compensation fund, and the policy limits per year and region
(docs/domain-facts.md §6)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet

from .choices import (
    CompensationTrigger,
    FundEntryKind,
    LoanStatus,
    Method,
    Purpose,
    RiskCause,
    Usage,
)
from .choices import Frequency as FrequencyChoice
from .choices import SubsidyPeriod as SubsidyPeriodChoice

MONEY = {"max_digits": 12, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 4}
SHARE = {"max_digits": 5, "decimal_places": 4}
POSITIVE = [MinValueValidator(Decimal("0"))]


class CreditParameter(AuditedModel):
    """The limits of 扶贫小额信贷 for a year (blank: every year) and region (blank: national); the most specific
    region, then the exact year, wins. Installed by migration 0002 from frozen JSON, edited on the parameter page."""

    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True, help_text=_("留空为各年度通用"))
    region = models.ForeignKey("regions.Region", verbose_name=_("适用区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", help_text=_("留空为全国默认；可按省、市、县设置"))
    max_amount = models.DecimalField(_("单户贷款上限（元）"), validators=POSITIVE, **MONEY)
    subsidy_principal_cap = models.DecimalField(
        _("享受贴息的本金上限（元）"), validators=POSITIVE, **MONEY,
        help_text=_("超过部分不贴息、不纳入风险补偿"))
    max_term_months = models.PositiveSmallIntegerField(_("最长期限（月）"))
    min_age = models.PositiveSmallIntegerField(_("借款人最低年龄（周岁）"))
    max_age = models.PositiveSmallIntegerField(_("借款人最高年龄（周岁）"))
    rate_cap_short = models.DecimalField(_("1年期以内利率上限（年利率%）"), validators=POSITIVE, **RATE,
                                         help_text=_("如1年期LPR或基准利率"))
    rate_cap_long = models.DecimalField(_("1年以上利率上限（年利率%）"), validators=POSITIVE, **RATE,
                                        help_text=_("如5年期以上LPR或3年期基准利率"))
    subsidy_share = models.DecimalField(_("贴息比例"), **SHARE,
                                        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
                                        help_text=_("1 为全额贴息，0.7 为贴息70%"))
    subsidy_period_months = models.PositiveSmallIntegerField(_("贴息周期"), choices=SubsidyPeriodChoice.choices,
                                                             default=SubsidyPeriodChoice.QUARTER)
    due_soon_days = models.PositiveSmallIntegerField(_("临期提醒天数"))
    banned_purposes = models.CharField(_("不允许的用途"), max_length=100, blank=True,
                                       help_text=_("用途代码，逗号分隔"))
    document = models.CharField(_("文件依据"), max_length=200)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    audit_region_field = "region"

    class Meta:
        verbose_name = _("小额信贷参数")
        verbose_name_plural = _("小额信贷参数")
        ordering = ["region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["year", "region"], name="credit_parameter_unique"),
            models.UniqueConstraint(fields=["year"], condition=Q(region__isnull=True),
                                    name="credit_parameter_unique_national"),
            models.UniqueConstraint(fields=["region"], condition=Q(year__isnull=True),
                                    name="credit_parameter_unique_all_years"),
        ]

    def __str__(self):
        where = self.region.name if self.region_id else "全国"
        return f"{where}{f'{self.year}年' if self.year else '各年度'}小额信贷参数"

    @property
    def banned(self) -> list[str]:
        return [c for c in self.banned_purposes.split(",") if c]


class Loan(AuditedModel):
    """One loan contract to a household's member (户借、户用、户还)."""

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="loans")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    borrower = models.ForeignKey("registry.Member", verbose_name=_("借款人"), on_delete=models.PROTECT,
                                 related_name="loans")
    bank = models.CharField(_("放贷银行"), max_length=50)
    contract_number = models.CharField(_("合同编号"), max_length=50, unique=True)
    amount = models.DecimalField(_("贷款金额（元）"), **MONEY)
    term_months = models.PositiveSmallIntegerField(_("期限（月）"))
    annual_rate = models.DecimalField(_("年利率（%）"), **RATE)
    start_date = models.DateField(_("放款日期"))
    maturity_date = models.DateField(_("到期日期"))
    method = models.CharField(_("还款方式"), max_length=20, choices=Method.choices, default=Method.BULLET)
    frequency = models.PositiveSmallIntegerField(_("还款周期"), choices=FrequencyChoice.choices,
                                                 default=FrequencyChoice.QUARTERLY)
    purpose = models.CharField(_("贷款用途"), max_length=12, choices=Purpose.choices)
    purpose_note = models.CharField(_("用途说明"), max_length=200, blank=True)
    usage = models.CharField(_("使用方式"), max_length=12, choices=Usage.choices, default=Usage.HOUSEHOLD)
    enterprise_name = models.CharField(_("使用企业名称"), max_length=100, blank=True,
                                       help_text=_("户贷企用时填写"))
    status = models.CharField(_("状态"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.NORMAL,
                              db_index=True)
    outstanding = models.DecimalField(_("贷款余额（元）"), **MONEY)
    settled_on = models.DateField(_("结清日期"), null=True, blank=True)
    extended_months = models.PositiveSmallIntegerField(_("展期月数"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("小额信贷")
        verbose_name_plural = _("小额信贷")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["village", "status"]), models.Index(fields=["household", "start_date"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_loan_amount_positive")]

    def __str__(self):
        return f"{self.bank} {self.contract_number}"


class ScheduleItem(models.Model):
    """One instalment of a loan's repayment schedule and what the repayments have covered of it; ``settled_on``
    is the date of the repayment that completed it (the overdue and subsidy rules read it)."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="schedule")
    sequence = models.PositiveSmallIntegerField(_("期次"))
    period_start = models.DateField(_("计息起日"))
    due_date = models.DateField(_("应还日期"))
    principal = models.DecimalField(_("应还本金（元）"), **MONEY)
    interest = models.DecimalField(_("应还利息（元）"), **MONEY)
    outstanding_before = models.DecimalField(_("期初本金（元）"), **MONEY)
    paid_principal = models.DecimalField(_("已还本金（元）"), default=0, **MONEY)
    paid_interest = models.DecimalField(_("已还利息（元）"), default=0, **MONEY)
    settled_on = models.DateField(_("还清日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "loan__village__code"

    class Meta:
        verbose_name = _("还款计划")
        verbose_name_plural = _("还款计划")
        ordering = ["loan", "sequence"]
        constraints = [models.UniqueConstraint(fields=["loan", "sequence"], name="credit_schedule_unique")]
        indexes = [models.Index(fields=["due_date", "settled_on"])]

    @property
    def unpaid_principal(self) -> Decimal:
        return self.principal - self.paid_principal

    @property
    def unpaid_interest(self) -> Decimal:
        return self.interest - self.paid_interest


class Repayment(AuditedModel):
    """An actual repayment as the bank reports it (page, API or the bank's file)."""

    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.CASCADE, related_name="repayments")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("还款日期"))
    principal = models.DecimalField(_("归还本金（元）"), default=0, validators=POSITIVE, **MONEY)
    interest = models.DecimalField(_("归还利息（元）"), default=0, validators=POSITIVE, **MONEY)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "loan"

    class Meta:
        verbose_name = _("还款记录")
        verbose_name_plural = _("还款记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["loan", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} 还本{self.principal}元 付息{self.interest}元"


class Subsidy(AuditedModel):
    """贴息台账: one subsidy period (quarter or year) of a loan — the interest due in it, the subsidy it earns at the
    subsidised rate and share, or nothing when the loan was overdue or misused in it."""

    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.CASCADE, related_name="subsidies")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    period_start = models.DateField(_("贴息期起"))
    period_end = models.DateField(_("贴息期止"))
    label = models.CharField(_("贴息期"), max_length=20)
    interest = models.DecimalField(_("应付利息（元）"), **MONEY)
    subsidised_rate = models.DecimalField(_("贴息利率（%）"), **RATE)
    share = models.DecimalField(_("贴息比例"), **SHARE)
    computed = models.DecimalField(_("应贴息（元）"), **MONEY)
    amount = models.DecimalField(_("实贴息（元）"), **MONEY)
    lost_reason = models.CharField(_("不予贴息原因"), max_length=200, blank=True)
    updated = models.DateTimeField(_("计算时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "loan"

    class Meta:
        verbose_name = _("贴息")
        verbose_name_plural = _("贴息台账")
        ordering = ["loan", "period_start"]
        constraints = [models.UniqueConstraint(fields=["loan", "period_start"], name="credit_subsidy_unique")]
        indexes = [models.Index(fields=["village", "year"])]

    def __str__(self):
        return f"{self.loan.contract_number} {self.label}"

    @property
    def lost(self) -> bool:
        return bool(self.lost_reason)


class LoanRiskEvent(models.Model):
    """The monitoring risk event a loan raised for its household, once per loan and cause."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="risk_links")
    cause = models.CharField(_("原因"), max_length=12, choices=RiskCause.choices)
    event = models.ForeignKey("monitoring.RiskEvent", verbose_name=_("风险事件"), null=True,
                              on_delete=models.SET_NULL, related_name="+")
    raised = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "loan__village__code"

    class Meta:
        verbose_name = _("信贷风险事件")
        verbose_name_plural = _("信贷风险事件")
        ordering = ["loan", "raised"]
        constraints = [models.UniqueConstraint(fields=["loan", "cause"], name="credit_risk_once")]


class FundEntry(AuditedModel):
    """风险补偿金: the county's deposits, its compensations to banks for a loan (with the trigger) and recoveries."""

    county = models.ForeignKey("regions.Region", verbose_name=_("县（市、区）"), on_delete=models.PROTECT,
                               related_name="+")
    kind = models.CharField(_("类型"), max_length=14, choices=FundEntryKind.choices)
    date = models.DateField(_("日期"))
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    loan = models.ForeignKey(Loan, verbose_name=_("代偿贷款"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="fund_entries")
    bank = models.CharField(_("银行"), max_length=50, blank=True)
    trigger = models.CharField(_("代偿情形"), max_length=14, choices=CompensationTrigger.choices, blank=True)
    document = models.CharField(_("依据文件或凭证"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "county__code"
    audit_region_field = "county"

    class Meta:
        verbose_name = _("风险补偿金")
        verbose_name_plural = _("风险补偿金")
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_fund_amount_positive")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}元（{self.date:%Y-%m-%d}）"
