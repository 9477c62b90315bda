"""Coded values of 扶贫项目资产 (docs/domain-facts.md §6, 国办函〔2021〕51号)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssetKind(models.TextChoices):
    """The three classes of 国办函〔2021〕51号."""

    OPERATING = "1", _("经营性资产")
    PUBLIC = "2", _("公益性资产")
    HOUSEHOLD = "3", _("到户类资产")


class SubKind(models.TextChoices):
    """The sub-classes 国办函〔2021〕51号 names under each class (the first digit is the class)."""

    INDUSTRY_FIXED = "11", _("产业就业类固定资产")
    EQUITY = "12", _("权益性资产")
    INFRASTRUCTURE = "21", _("公益性基础设施")
    PUBLIC_SERVICE = "22", _("公共服务固定资产")
    BIOLOGICAL = "31", _("生物资产")
    HOUSEHOLD_FIXED = "32", _("到户固定资产")

    @classmethod
    def of(cls, kind: str) -> list:
        return [choice for choice in cls if choice.value.startswith(kind)]


class AssetStatus(models.TextChoices):
    IN_USE = "in_use", _("在用")
    IDLE = "idle", _("闲置")
    DAMAGED = "damaged", _("损毁")
    DISPOSED = "disposed", _("已处置")


class DistributionPlan(models.TextChoices):
    """收益分配方案: how the yearly income of an operating asset reaches households."""

    NONE = "", _("未定方案")
    EQUAL = "equal", _("受益户平均分配")
    MANUAL = "manual", _("逐户登记")


class DistributionMethod(models.TextChoices):
    PLAN = "plan", _("按方案分配")
    MANUAL = "manual", _("逐户登记")


class ChangeKind(models.TextChoices):
    """What a change request (申请) asks the county to approve; an asset's status and rights change only so."""

    OWNER = "owner", _("所有权移交/变更")
    OPERATOR = "operator", _("经营权变更")
    STATUS = "status", _("状态变更")
    DISPOSAL = "disposal", _("资产处置")


class DisposalMethod(models.TextChoices):
    AUCTION = "auction", _("拍卖")
    TRANSFER = "transfer", _("转让")
    SCRAP = "scrap", _("报废")
    WRITE_OFF = "write_off", _("核销")
    OTHER = "other", _("其他")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待县级审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
