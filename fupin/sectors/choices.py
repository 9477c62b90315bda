"""Codes of 行业政策: sectors, the policies a member or household is enrolled in, the configured figures, and the
states of each record kind. Stored values are these codes; labels are the Chinese names."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    EDUCATION = "education", _("教育")
    HEALTH = "health", _("健康")
    HOUSING = "housing", _("住房安全")
    WATER = "water", _("饮水安全")
    SOCIAL = "social", _("兜底保障")
    RELOCATION = "relocation", _("易地搬迁")


# The department accounts (``User.department``) that read and enter each sector's records (docs/domain-facts.md
# §2.4, the department → signal table). 易地搬迁 is the county's own work.
SECTOR_DEPARTMENTS: dict[str, tuple[str, ...]] = {
    Sector.EDUCATION: ("教育",),
    Sector.HEALTH: ("医保", "卫健"),
    Sector.HOUSING: ("住建",),
    Sector.WATER: ("水利",),
    Sector.SOCIAL: ("民政", "残联"),
    Sector.RELOCATION: (),
}


class Policy(models.TextChoices):
    """A policy a member (or household) is enrolled in: the shape every ``Enrolment`` shares."""

    DIBAO = "dibao", _("农村低保")
    TEKUN = "tekun", _("特困供养")
    PENSION_PAID = "pension_paid", _("代缴城乡居民养老保险")
    DISABILITY_LIVING = "disability_living", _("困难残疾人生活补贴")
    DISABILITY_CARE = "disability_care", _("重度残疾人护理补贴")
    FAMILY_DOCTOR = "family_doctor", _("家庭医生签约")
    CHRONIC_CERT = "chronic_cert", _("门诊慢性病证")


POLICY_SECTOR = {
    Policy.DIBAO: Sector.SOCIAL, Policy.TEKUN: Sector.SOCIAL, Policy.PENSION_PAID: Sector.SOCIAL,
    Policy.DISABILITY_LIVING: Sector.SOCIAL, Policy.DISABILITY_CARE: Sector.SOCIAL,
    Policy.FAMILY_DOCTOR: Sector.HEALTH, Policy.CHRONIC_CERT: Sector.HEALTH,
}
# Narrower than the sector where one department runs only part of it: 残联 the 两项补贴, not 低保.
POLICY_DEPARTMENTS = {
    Policy.DIBAO: ("民政",), Policy.TEKUN: ("民政",), Policy.PENSION_PAID: ("民政",),
    Policy.DISABILITY_LIVING: ("残联", "民政"), Policy.DISABILITY_CARE: ("残联", "民政"),
    Policy.FAMILY_DOCTOR: ("卫健",), Policy.CHRONIC_CERT: ("医保", "卫健"),
}
# Policies a household enjoys as a whole when no member is named (低保 全户保).
HOUSEHOLD_POLICIES = (Policy.DIBAO,)
# Policies that may end in a 渐退 period (the configured months, ``Figure.TAPER_MONTHS``).
TAPERING_POLICIES = (Policy.DIBAO, Policy.TEKUN)


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("享受中")
    TAPERING = "tapering", _("渐退期")
    ENDED = "ended", _("已退出")


class Source(models.TextChoices):
    ENTERED = "entered", _("录入")
    IMPORTED = "imported", _("Excel 导入")
    DATASET = "dataset", _("部门数据")


class Figure(models.TextChoices):
    """Policy figures configured by year and region (``PolicyFigure``)."""

    YULU_AMOUNT = "yulu_amount", _("雨露计划补助标准")
    SELF_PAY_CAP = "self_pay_cap_pct", _("政策范围内个人自付比例上限")
    TAPER_MONTHS = "taper_months", _("低保特困渐退期")
    WATER_LITRES_SAFE = "water_litres_safe", _("饮水水量安全标准")
    WATER_LITRES_BASIC = "water_litres_basic", _("饮水水量基本安全标准")
    WATER_MINUTES_SAFE = "water_minutes_safe", _("取水往返时间安全标准")
    WATER_MINUTES_BASIC = "water_minutes_basic", _("取水往返时间基本安全标准")
    WATER_RATE_SAFE = "water_rate_safe", _("供水保证率安全标准")
    WATER_RATE_BASIC = "water_rate_basic", _("供水保证率基本安全标准")
    DIBAO_STANDARD = "dibao_standard", _("农村低保标准")


FIGURE_UNITS = {
    Figure.YULU_AMOUNT: "元/学年", Figure.SELF_PAY_CAP: "%", Figure.TAPER_MONTHS: "个月",
    Figure.WATER_LITRES_SAFE: "升/人·日", Figure.WATER_LITRES_BASIC: "升/人·日",
    Figure.WATER_MINUTES_SAFE: "分钟", Figure.WATER_MINUTES_BASIC: "分钟",
    Figure.WATER_RATE_SAFE: "%", Figure.WATER_RATE_BASIC: "%", Figure.DIBAO_STANDARD: "元/人·年",
}


class Stage(models.TextChoices):
    """学段 of a student."""

    PRESCHOOL = "preschool", _("学前")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")
    HIGHER_VOCATIONAL = "higher_vocational", _("高职")
    UNDERGRADUATE = "undergraduate", _("本科")


# 雨露计划 pays students of 中职 and 高职 (docs/domain-facts.md §6; seed 002: "中、高职学生").
YULU_STAGES = (Stage.VOCATIONAL, Stage.HIGHER_VOCATIONAL)


class YuluStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    APPROVED = "approved", _("已审核")
    PAID = "paid", _("已发放")
    REJECTED = "rejected", _("未通过")


class DropoutStatus(models.TextChoices):
    PERSUADING = "persuading", _("劝返中")
    RETURNED = "returned", _("已返校")
    HOME_TEACHING = "home_teaching", _("送教上门")
    DEFERRED = "deferred", _("因病缓学")
    TRANSFERRED = "transferred", _("转学外地")


OPEN_DROPOUT = (DropoutStatus.PERSUADING,)


class RenovationMethod(models.TextChoices):
    REPAIR = "repair", _("修缮加固")
    REBUILD = "rebuild", _("拆除重建")
    REPLACEMENT = "replacement", _("统建或置换")
    RELOCATION = "relocation", _("易地搬迁安置")


class WaterResult(models.TextChoices):
    SAFE = "safe", _("安全")
    BASIC = "basic", _("基本安全")
    UNSAFE = "unsafe", _("不安全")


class RelocationMode(models.TextChoices):
    CENTRAL = "central", _("集中安置")
    SCATTERED = "scattered", _("分散安置")


class Subject(models.TextChoices):
    """Whom a coverage rule is about."""

    MEMBER = "member", _("成员")
    HOUSEHOLD = "household", _("户")


class GapStatus(models.TextChoices):
    OPEN = "open", _("应享未享")
    CLOSED = "closed", _("已补齐")
