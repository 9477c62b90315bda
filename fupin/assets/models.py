"""扶贫项目资产 (国办函〔2021〕51号, docs/domain-facts.md §6 and §10): the asset register with its rights, the
yearly income of operating assets and its distribution to households, maintenance (管护), and the change requests
(移交/变更, 处置) the county approves. An asset's rights holders and status change only through an approved request
(``services.decide``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet
from fupin.projects.models import PlannedSource

from .choices import (
    AssetKind,
    AssetStatus,
    ChangeKind,
    DisposalMethod,
    DistributionMethod,
    DistributionPlan,
    RequestStatus,
    SubKind,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class Asset(AuditedModel):
    """One asset: what it is, where, what it cost and who holds its four rights (所有权、经营权、收益权、监督权)."""

    name = models.CharField(_("资产名称"), max_length=200)
    kind = models.CharField(_("资产类别"), max_length=1, choices=AssetKind.choices)
    sub_kind = models.CharField(_("资产子类"), max_length=2, choices=SubKind.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT,
                               related_name="+", help_text=_("资产所在的村（县、乡镇级资产填县或乡镇）"))
    location = models.CharField(_("具体位置"), max_length=200, blank=True)
    value = models.DecimalField(_("资产原值（元）"), **MONEY)
    formed_on = models.DateField(_("形成日期"))
    fund_source = models.CharField(_("资金来源"), max_length=12, choices=PlannedSource.choices)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    registered_on = models.DateField(_("确权登记日期"), null=True, blank=True)
    certificate = models.CharField(_("确权证书编号"), max_length=100, blank=True)
    owner = models.CharField(_("所有权人"), max_length=200, help_text=_("所有权：如某村集体经济组织"))
    operator = models.CharField(_("经营权人"), max_length=200, blank=True, help_text=_("经营权：经营主体或管护主体"))
    beneficiary = models.CharField(_("收益权人"), max_length=200, blank=True, help_text=_("收益权：如村集体、受益脱贫户"))
    supervisor = models.CharField(_("监督权人"), max_length=200, blank=True, help_text=_("监督权：如乡镇人民政府、村务监督委员会"))
    status = models.CharField(_("资产状态"), max_length=10, choices=AssetStatus.choices, default=AssetStatus.IN_USE)
    plan = models.CharField(_("收益分配方案"), max_length=10, choices=DistributionPlan.choices, blank=True,
                            default=DistributionPlan.NONE)
    plan_share = models.DecimalField(_("分配到户比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True,
                                     help_text=_("年度收益中平均分配给受益户的比例，其余留村集体（如公益岗位、村级公益事业）"))
    project = models.OneToOneField("projects.Project", verbose_name=_("来源项目"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="asset")
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("扶贫项目资产")
        verbose_name_plural = _("扶贫项目资产")
        ordering = ["region", "-formed_on", "id"]
        indexes = [models.Index(fields=["region", "kind"]), models.Index(fields=["kind", "status"])]

    def __str__(self):
        return self.name


class AssetBeneficiary(AuditedModel):
    """A household with a share of the asset's income (到户类: the household that received it)."""

    asset = models.ForeignKey(Asset, verbose_name=_("资产"), on_delete=models.CASCADE, related_name="beneficiaries")
    household = models.ForeignKey("registry.Household", verbose_name=_("受益户"), on_delete=models.PROTECT,
                                  related_name="asset_benefits")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "household__village__code"
    audit_region_field = "household.village"
    audit_parent_field = "asset"

    class Meta:
        verbose_name = _("资产受益户")
        verbose_name_plural = _("资产受益户")
        constraints = [models.UniqueConstraint(fields=["asset", "household"], name="asset_beneficiary_once")]

    def __str__(self):
        return f"{self.asset_id} 受益户 {self.household_id}"


class Income(AuditedModel):
    """收益: income an operating asset brought in a year (rent, dividends, 分红 …), from whom."""

    asset = models.ForeignKey(Asset, verbose_name=_("资产"), on_delete=models.PROTECT, related_name="incomes")
    year = models.PositiveSmallIntegerField(_("收益年度"))
    amount = models.DecimalField(_("收益金额（元）"), **MONEY)
    source = models.CharField(_("收益来源/经营主体"), max_length=200)
    received_on = models.DateField(_("到账日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "asset__region__code"
    audit_region_field = "asset.region"
    audit_parent_field = "asset"

    class Meta:
        verbose_name = _("资产收益")
        verbose_name_plural = _("资产收益")
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["asset", "year"]), models.Index(fields=["year"])]

    def __str__(self):
        return f"{self.year}年收益 {self.amount}元"


class Distribution(AuditedModel):
    """收益分配: one household's share of an asset's income of a year (the household's ledger row)."""

    asset = models.ForeignKey(Asset, verbose_name=_("资产"), on_delete=models.PROTECT, related_name="distributions")
    year = models.PositiveSmallIntegerField(_("收益年度"))
    household = models.ForeignKey("registry.Household", verbose_name=_("分配户"), on_delete=models.PROTECT,
                                  related_name="asset_distributions")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("分配金额（元）"), **MONEY)
    reason = models.CharField(_("分配事由"), max_length=200)
    method = models.CharField(_("分配方式"), max_length=10, choices=DistributionMethod.choices)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "asset"

    class Meta:
        verbose_name = _("资产收益分配")
        verbose_name_plural = _("资产收益分配")
        ordering = ["-year", "household", "id"]
        constraints = [models.UniqueConstraint(fields=["asset", "year", "household"], name="distribution_once")]
        indexes = [models.Index(fields=["household", "year"])]

    def __str__(self):
        return f"{self.year}年收益分配 {self.amount}元"


class Maintenance(AuditedModel):
    """管护: a maintenance record (who, when, what, at what cost)."""

    asset = models.ForeignKey(Asset, verbose_name=_("资产"), on_delete=models.PROTECT, related_name="maintenances")
    date = models.DateField(_("管护日期"))
    responsible = models.CharField(_("管护责任人"), max_length=100)
    content = models.CharField(_("管护内容"), max_length=500)
    cost = models.DecimalField(_("管护费用（元）"), default=0, **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "asset__region__code"
    audit_region_field = "asset.region"
    audit_parent_field = "asset"

    class Meta:
        verbose_name = _("资产管护")
        verbose_name_plural = _("资产管护")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} 管护：{self.content[:30]}"


class ChangeRequest(AuditedModel):
    """移交/变更 of the owner or operator, a status change, or 处置: requested by the village or township,
    approved (then applied to the asset) or rejected by the county."""

    asset = models.ForeignKey(Asset, verbose_name=_("资产"), on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("申请事项"), max_length=10, choices=ChangeKind.choices)
    new_holder = models.CharField(_("变更后权利人"), max_length=200, blank=True)
    new_status = models.CharField(_("变更后状态"), max_length=10, choices=AssetStatus.choices, blank=True)
    reason = models.CharField(_("申请理由"), max_length=500)
    method = models.CharField(_("处置方式"), max_length=10, choices=DisposalMethod.choices, blank=True)
    proceeds = models.DecimalField(_("处置收入（元）"), null=True, blank=True, **MONEY)
    status = models.CharField(_("审批状态"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请账号"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批账号"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided = models.DateTimeField(_("审批时间"), null=True, blank=True)
    opinion = models.CharField(_("审批意见"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "asset__region__code"
    audit_region_field = "asset.region"
    audit_parent_field = "asset"

    class Meta:
        verbose_name = _("资产变更处置申请")
        verbose_name_plural = _("资产变更处置申请")
        ordering = ["-requested", "-id"]
        constraints = [models.UniqueConstraint(fields=["asset"], condition=models.Q(status="pending"),
                                               name="asset_one_pending_change")]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.get_status_display()}）"
