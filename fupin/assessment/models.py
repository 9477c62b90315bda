"""考核评估: an assessment (评估批次) of a county or township, its stratified random sample of villages and households
(drawn with a stored seed from the register as it stood), its questionnaire, the answer sheets filled on a phone, and
the gates of 三率一度 (docs/domain-facts.md §3.6) as configuration rows by year and region."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet, user_scope_prefix
from fupin.regions.models import ancestor_codes

from .choices import AssessmentKind, AssessmentStatus, Feed, HouseholdStratum, QuestionKind, Rate, VillageStratum


class AssessmentQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """An assessment of the account's region or below, or of the county or township the account lies in: a
        village or township sees its own part of a county's assessment (the pages narrow the rows to it)."""
        prefix = user_scope_prefix(user)
        if prefix is None or getattr(user, "role", None) in self.model.hidden_from_roles:
            return self.none()
        if prefix == "":
            return self
        return self.filter(Q(region__code__in_region=prefix) | Q(region_id__in=ancestor_codes(user.region_id)))


class Assessment(AuditedModel):
    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey("regions.Region", verbose_name=_("评估区划"), on_delete=models.PROTECT, related_name="+",
                               help_text=_("县或乡镇"))
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("评估类型"), max_length=20, choices=AssessmentKind.choices,
                            default=AssessmentKind.THIRD_PARTY)
    status = models.CharField(_("状态"), max_length=12, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.DRAFT)
    poor_villages = models.PositiveSmallIntegerField(_("每乡镇抽贫困村数"), default=2)
    non_poor_villages = models.PositiveSmallIntegerField(_("每乡镇抽非贫困村数"), default=1)
    exited_households = models.PositiveSmallIntegerField(_("每村抽已脱贫户数"), default=10)
    poor_households = models.PositiveSmallIntegerField(_("每村抽未脱贫户数"), default=5)
    monitored_households = models.PositiveSmallIntegerField(_("每村抽监测对象户数"), default=5)
    ordinary_households = models.PositiveSmallIntegerField(_("每村抽一般农户数"), default=10)
    seed = models.BigIntegerField(_("随机种子"), help_text=_("同一种子、同一登记数据抽出同一样本"))
    register_digest = models.CharField(_("抽样时登记数据指纹"), max_length=64, blank=True, editable=False)
    drawn_at = models.DateTimeField(_("抽样时间"), null=True, blank=True, editable=False)
    draws = models.PositiveSmallIntegerField(_("抽样次数"), default=0, editable=False)
    enumerators = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("调查员"), blank=True,
                                         related_name="assessments")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AssessmentQuerySet.as_manager()
    scope_field = "region__code"
    hidden_from_roles = ("department",)

    class Meta:
        verbose_name = _("评估批次")
        verbose_name_plural = _("评估批次")
        ordering = ["-year", "-pk"]

    def __str__(self):
        return self.name

    def size_for(self, stratum: str) -> int:
        return {VillageStratum.POOR: self.poor_villages, VillageStratum.NON_POOR: self.non_poor_villages,
                HouseholdStratum.EXITED: self.exited_households, HouseholdStratum.POOR: self.poor_households,
                HouseholdStratum.MONITORED: self.monitored_households,
                HouseholdStratum.ORDINARY: self.ordinary_households}[stratum]


class SampleVillage(AuditedModel):
    """A sampled village with the register's population figures at the draw (the denominators of the rates)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="villages")
    village = models.ForeignKey("regions.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    township_code = models.CharField(_("乡镇代码"), max_length=12, db_index=True)
    stratum = models.CharField(_("村层"), max_length=10, choices=VillageStratum.choices)
    position = models.PositiveSmallIntegerField(_("抽中顺序"))
    households = models.PositiveIntegerField(_("总户数"), default=0)
    rural_people = models.PositiveIntegerField(_("乡村总人口"), default=0)
    unregistered_people = models.PositiveIntegerField(_("未建档立卡人口"), default=0)
    remaining_poor_people = models.PositiveIntegerField(_("剩余贫困人口"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "assessment"

    class Meta:
        verbose_name = _("抽样村")
        verbose_name_plural = _("抽样村")
        ordering = ["township_code", "stratum", "position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "village"], name="assessment_village_once")]

    def __str__(self):
        return f"{self.village.name}（{self.get_stratum_display()}）"


class SampleHousehold(AuditedModel):
    """A sampled household: its stratum and people as the register had them at the draw."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="households")
    sample_village = models.ForeignKey(SampleVillage, on_delete=models.CASCADE, related_name="samples")
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="assessment_samples")
    village = models.ForeignKey("regions.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    township_code = models.CharField(_("乡镇代码"), max_length=12, db_index=True)
    stratum = models.CharField(_("户层"), max_length=10, choices=HouseholdStratum.choices)
    position = models.PositiveSmallIntegerField(_("抽中顺序"))
    people = models.PositiveSmallIntegerField(_("人口数"))
    registered = models.BooleanField(_("建档立卡"), help_text=_("抽样时在建档立卡登记中（未脱贫或已脱贫）"))
    exited = models.BooleanField(_("已脱贫"))

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "assessment"

    class Meta:
        verbose_name = _("抽样户")
        verbose_name_plural = _("抽样户")
        ordering = ["township_code", "village", "stratum", "position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "household"], name="assessment_household_once")]

    def __str__(self):
        return f"{self.household.head_name}户（{self.get_stratum_display()}）"


class Question(AuditedModel):
    """A question of an assessment's questionnaire; rows without an assessment are the default questionnaire,
    copied into each new assessment."""

    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="questions")
    code = models.CharField(_("编号"), max_length=20)
    text = models.CharField(_("问题"), max_length=300)
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.YES_NO)
    choices = models.CharField(_("选项"), max_length=300, blank=True, help_text=_("单选题的选项，用“、”分隔"))
    feeds = models.CharField(_("计入指标"), max_length=20, choices=Feed.choices, blank=True)
    counts_when = models.CharField(_("计入的回答"), max_length=200, blank=True,
                                   help_text=_("回答为这些值（用“、”分隔）时计入所选指标，如“是”或“满意、基本满意”"))
    strata = models.CharField(_("适用户层"), max_length=60, blank=True,
                              help_text=_("留空为全部户层；多个用逗号分隔"))
    required = models.BooleanField(_("必答"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_field = "assessment__region__code"
    audit_region_field = "assessment.region"
    audit_parent_field = "assessment"

    class Meta:
        verbose_name = _("问卷题目")
        verbose_name_plural = _("问卷题目")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="assessment_question_code"),
            models.UniqueConstraint(fields=["code"], condition=Q(assessment__isnull=True),
                                    name="assessment_default_question_code"),
        ]

    def __str__(self):
        return f"{self.code} {self.text}"

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.split("、") if c.strip()]

    @property
    def counting_values(self) -> list[str]:
        return [c.strip() for c in self.counts_when.split("、") if c.strip()]

    def applies_to(self, stratum: str) -> bool:
        return not self.strata or stratum in [s.strip() for s in self.strata.split(",")]


class AnswerSheet(AuditedModel):
    """One household's answers, sent once: ``client_uuid`` is the phone's number for the sheet, so a resend
    answers the sheet already recorded."""

    sample = models.OneToOneField(SampleHousehold, verbose_name=_("抽样户"), on_delete=models.PROTECT,
                                  related_name="sheet")
    client_uuid = models.UUIDField(_("问卷编号"), unique=True)
    surveyed_on = models.DateField(_("调查日期"))
    respondent = models.CharField(_("受访人"), max_length=50, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    enumerator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("调查员"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    submitted = models.DateTimeField(_("提交时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "sample__village__code"
    audit_region_field = "sample.village"
    audit_parent_field = "sample"

    class Meta:
        verbose_name = _("调查问卷")
        verbose_name_plural = _("调查问卷")
        ordering = ["-submitted"]

    def __str__(self):
        return f"问卷 {self.sample}"


class Answer(models.Model):
    """An answer; ``counts`` says whether it counts towards its question's rate (kept current when the question's
    counting answers change), so the rates are one aggregate over the answers."""

    sheet = models.ForeignKey(AnswerSheet, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.CharField(_("回答"), max_length=500, blank=True)
    counts = models.BooleanField(_("计入指标"), default=False)

    class Meta:
        verbose_name = _("回答")
        verbose_name_plural = _("回答")
        constraints = [models.UniqueConstraint(fields=["sheet", "question"], name="assessment_answer_once")]


class AssessmentGate(AuditedModel):
    """A gate of 三率一度 per year and region with its source; the most specific region, then the exact year, wins."""

    rate = models.CharField(_("指标"), max_length=20, choices=Rate.choices)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True, help_text=_("留空为各年度通用"))
    region = models.ForeignKey("regions.Region", verbose_name=_("适用区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", help_text=_("留空为全国默认"))
    value = models.DecimalField(_("门槛（%）"), max_digits=5, decimal_places=2)
    source = models.CharField(_("依据"), max_length=300, blank=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("三率一度门槛")
        verbose_name_plural = _("三率一度门槛")
        ordering = ["rate", "region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["rate", "year", "region"], name="assessment_gate_unique"),
            models.UniqueConstraint(fields=["rate"], condition=Q(year__isnull=True, region__isnull=True),
                                    name="assessment_gate_unique_default"),
        ]

    def __str__(self):
        return f"{self.get_rate_display()} {self.value}%"
