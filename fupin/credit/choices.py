"""Coded values of 扶贫小额信贷 (docs/domain-facts.md §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """贷款用途. The last four are the uses the policy excludes (结婚、建房、理财、家庭用品); which of them a county
    refuses is its ``CreditParameter.banned_purposes``, so they stay choices that a loan can be refused for."""

    PLANTING = "planting", _("种植业")
    BREEDING = "breeding", _("养殖业")
    PROCESSING = "processing", _("农产品加工")
    TRADE = "trade", _("商贸流通")
    TOURISM = "tourism", _("乡村旅游")
    BUSINESS = "business", _("其他生产经营")
    MARRIAGE = "marriage", _("结婚")
    HOUSING = "housing", _("建房")
    INVESTMENT = "investment", _("理财")
    HOUSEHOLD_GOODS = "goods", _("家庭用品")


class Usage(models.TextChoices):
    """户借、户用、户还: a loan pooled to an enterprise (户贷企用) is misuse — recorded as found, it loses the
    subsidy and raises a risk event."""

    HOUSEHOLD = "household", _("户贷户用")
    ENTERPRISE = "enterprise", _("户贷企用")


class LoanStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    OVERDUE = "overdue", _("逾期")
    EXTENDED = "extended", _("展期")
    SETTLED = "settled", _("已结清")
    COMPENSATED = "compensated", _("已代偿")


# Loans still owed to the bank (the overdue check and the outstanding figures look at these).
OPEN_STATUSES = (LoanStatus.NORMAL, LoanStatus.OVERDUE, LoanStatus.EXTENDED)


class Method(models.TextChoices):
    """还款方式."""

    BULLET = "bullet", _("按期付息、到期还本")
    EQUAL_PRINCIPAL = "equal_principal", _("等额本金")
    EQUAL_INSTALMENT = "equal_instalment", _("等额本息")


class Frequency(models.IntegerChoices):
    """还款（付息）周期, in months."""

    MONTHLY = 1, _("按月")
    QUARTERLY = 3, _("按季")
    HALF_YEARLY = 6, _("按半年")
    YEARLY = 12, _("按年")


class SubsidyPeriod(models.IntegerChoices):
    """贴息周期, in months."""

    QUARTER = 3, _("按季度")
    YEAR = 12, _("按年度")


class RiskCause(models.TextChoices):
    """Why a loan raised a monitoring risk event (once per loan and cause)."""

    OVERDUE = "overdue", _("贷款逾期")
    MISUSE = "misuse", _("户贷企用")


class FundEntryKind(models.TextChoices):
    """风险补偿金 entries: the county deposits, pays banks for loans it compensates, and recovers."""

    DEPOSIT = "deposit", _("县级存入")
    COMPENSATION = "compensation", _("代偿支出")
    RECOVERY = "recovery", _("追偿收回")


class CompensationTrigger(models.TextChoices):
    """风险补偿 triggers (docs/domain-facts.md §6, local)."""

    DEATH = "death", _("借款人死亡且无有能力的家庭成员")
    DISASTER = "disaster", _("遭受重大自然灾害")
    FAMILY_CHANGE = "family_change", _("家庭发生重大变故")
