"""Codes of the assessment (考核评估): kinds, strata, question kinds and the rate each question feeds, the gates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssessmentKind(models.TextChoices):
    THIRD_PARTY = "third_party", _("第三方评估")
    PROVINCIAL = "provincial", _("省级核查")
    COUNTY = "county", _("县级自查")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("未抽样")
    SURVEYING = "surveying", _("调查中")
    CLOSED = "closed", _("已结束")


class VillageStratum(models.TextChoices):
    POOR = "poor", _("贫困村")
    NON_POOR = "non_poor", _("非贫困村")


class HouseholdStratum(models.TextChoices):
    """A household's stratum from the register at the draw: monitored first, then its 建档立卡 status."""

    EXITED = "exited", _("已脱贫")
    POOR = "poor", _("未脱贫")
    MONITORED = "monitored", _("监测对象")
    ORDINARY = "ordinary", _("一般农户")


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", _("是/否")
    CHOICE = "choice", _("单选")
    NUMBER = "number", _("数字")
    TEXT = "text", _("文字")


class Feed(models.TextChoices):
    """Which of 三率一度 an answer feeds (docs/domain-facts.md §3.6)."""

    NONE = "", _("不计入")
    MISSED = "missed", _("应识别未识别（漏评）")
    WRONG_EXIT = "wrong_exit", _("不符合退出标准（错退）")
    POOR = "poor", _("是否贫困（综合贫困发生率）")
    RECOGNITION = "recognition", _("满意/认可（群众认可度）")


class Rate(models.TextChoices):
    """三率一度 and their gates (configuration rows, ``AssessmentGate``)."""

    MISSED = "missed_rate", _("漏评率")
    WRONG_EXIT = "wrong_exit_rate", _("错退率")
    INCIDENCE = "incidence", _("综合贫困发生率")
    RECOGNITION = "recognition", _("群众认可度")


# The rates that pass below their gate; 群众认可度 passes at or above it.
BELOW_GATE = frozenset({Rate.MISSED, Rate.WRONG_EXIT, Rate.INCIDENCE})
YES, NO = "是", "否"
