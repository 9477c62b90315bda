"""问题台账与整改: the problems that inspections, audits, assessments, confirmed comparison suspects, data-quality checks
and fund anomalies bring up, each rectified by its region under a deadline and signed off (销号) by the level above.

A problem's region is a village, township or county node; its ``subject`` names the record it came from
("comparison.suspect:12"), so one source never has two open problems. The categories and their items are those of
the county's rectification plan (seed 003: 精准识别、精准施策、精准帮扶、精准脱贫、基础工作).
"""

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet


class SourceKind(models.TextChoices):
    INSPECTION = "inspection", _("督查巡查")
    AUDIT = "audit", _("审计")
    ASSESSMENT = "assessment", _("考核评估")
    SUSPECT = "suspect", _("数据比对疑点")
    QUALITY = "quality", _("数据质量")
    FUNDS = "funds", _("资金异常")
    OTHER = "other", _("其他")


class Category(models.TextChoices):
    """整改内容的五个方面 (seed 003, 二、整改内容)."""

    IDENTIFY = "identify", _("精准识别")
    POLICY = "policy", _("精准施策")
    ASSIST = "assist", _("精准帮扶")
    EXIT = "exit", _("精准脱贫")
    BASIC = "basic", _("基础工作")


class Item(models.TextChoices):
    """问题细项: what seed 003 tells each category's inspection to look at; the code's first part is its category."""

    IDENTIFY_STANDARD = "identify.standard", _("识别标准不符合")
    IDENTIFY_PROCEDURE = "identify.procedure", _("识别程序不规范（申请、评议、公示、公告）")
    POLICY_CAUSE = "policy.cause", _("致贫原因和脱贫需求不准确")
    POLICY_MEASURES = "policy.measures", _("帮扶措施未制定或脱贫措施清单未建立")
    POLICY_FIT = "policy.fit", _("帮扶措施不符合实际")
    ASSIST_DELIVERY = "assist.delivery", _("帮扶措施和项目未落实")
    ASSIST_HELPER = "assist.helper", _("帮扶责任人未按时定期帮扶")
    ASSIST_UNIT = "assist.unit", _("包保单位帮扶规划、计划、总结不全")
    ASSIST_TEAM = "assist.team", _("驻村工作队履职不到位")
    EXIT_ACCURACY = "exit.accuracy", _("脱贫不精准（收入未达标、两不愁三保障未稳定解决）")
    EXIT_PROCEDURE = "exit.procedure", _("退出程序不规范（民主评议、公示）")
    BASIC_DATA = "basic.data", _("基础信息与实际或信息系统不一致")
    BASIC_ARCHIVE = "basic.archive", _("村级档案和贫困户资料不齐全")
    BASIC_MANUAL = "basic.manual", _("《扶贫手册》填写不规范、不及时")
    BASIC_AWARENESS = "basic.awareness", _("政策知晓率低")
    BASIC_FUNDS = "basic.funds", _("扶贫资金使用管理不规范")

    @property
    def category(self) -> str:
        return self.value.split(".")[0]


class Status(models.TextChoices):
    PENDING = "pending", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    SUBMITTED = "submitted", _("申请销号")
    RETURNED = "returned", _("退回重改")
    CLOSED = "closed", _("已销号")


# Not yet signed off: what the ledger counts as open (and, past the deadline, as 逾期).
OPEN_STATUSES = (Status.PENDING, Status.IN_PROGRESS, Status.SUBMITTED, Status.RETURNED)


class ProblemQuerySet(ScopedQuerySet):
    def open(self):
        return self.exclude(status=Status.CLOSED)

    def overdue(self, today=None):
        return self.open().filter(deadline__lt=today or timezone.localdate())


class Problem(AuditedModel):
    """问题: one finding to rectify, in one region (and, where it concerns one, one household or project)."""

    source_kind = models.CharField(_("问题来源"), max_length=12, choices=SourceKind.choices)
    source_reference = models.CharField(_("来源依据"), max_length=300, blank=True,
                                        help_text=_("督查通报、审计报告、评估反馈的名称和文号，或疑点、异常的说明"))
    subject = models.CharField(_("来源记录"), max_length=60, blank=True, editable=False)
    region = models.ForeignKey("regions.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT,
                               related_name="+", help_text=_("问题所在的村、乡镇或县"))
    household = models.ForeignKey("registry.Household", verbose_name=_("涉及农户"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="problems")
    project = models.ForeignKey("projects.Project", verbose_name=_("涉及项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="problems")
    category = models.CharField(_("问题类别"), max_length=10, choices=Category.choices)
    item = models.CharField(_("问题细项"), max_length=24, choices=Item.choices, blank=True)
    description = models.TextField(_("问题描述"), max_length=2000)
    responsible_unit = models.CharField(_("责任单位"), max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_problems",
                              help_text=_("整改责任人的系统账号，问题列入其待办"))
    owner_name = models.CharField(_("责任人姓名"), max_length=50, blank=True)
    deadline = models.DateField(_("整改时限"))
    measures = models.TextField(_("整改措施"), blank=True, max_length=2000)
    status = models.CharField(_("整改状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("申请销号时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("销号人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProblemQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题台账")
        ordering = ["deadline", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subject"], condition=~Q(subject="") & ~Q(status="closed"),
                                    name="oversight_one_open_problem_per_subject"),
        ]
        indexes = [models.Index(fields=["region", "status"]), models.Index(fields=["status", "deadline"]),
                   models.Index(fields=["owner", "status"])]

    def __str__(self):
        return f"问题 #{self.pk}：{self.description[:30]}"

    @property
    def is_overdue(self) -> bool:
        return self.status != Status.CLOSED and self.deadline < timezone.localdate()


class Progress(AuditedModel):
    """整改进展: what was done on a date, by whom."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="progress_entries")
    date = models.DateField(_("日期"))
    text = models.TextField(_("整改进展"), max_length=2000)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("填报时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "problem__region__code"
    audit_region_field = "problem.region"
    audit_parent_field = "problem"

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.text[:30]}"


def evidence_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"oversight/{instance.problem_id}/{timezone.now():%Y%m%d%H%M%S%f}{suffix}"


class Evidence(AuditedModel):
    """佐证材料: a file (photo, scan, document) showing the rectification, served through the scoped view."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "problem__region__code"
    audit_region_field = "problem.region"
    audit_parent_field = "problem"

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded", "id"]

    def __str__(self):
        return self.original_name or self.file.name


class ParameterCode(models.TextChoices):
    """The ledger's policy figures (values and sources in migrations/0002_parameters.json)."""

    DEADLINE_IDENTIFY = "deadline_identify", _("精准识别问题整改时限")
    DEADLINE_POLICY = "deadline_policy", _("精准施策问题整改时限")
    DEADLINE_ASSIST = "deadline_assist", _("精准帮扶问题整改时限")
    DEADLINE_EXIT = "deadline_exit", _("精准脱贫问题整改时限")
    DEADLINE_BASIC = "deadline_basic", _("基础工作问题整改时限")
    ESCALATION_GRACE = "escalation_grace", _("逾期上报宽限天数")


DEADLINE_CODES = {Category.IDENTIFY: ParameterCode.DEADLINE_IDENTIFY, Category.POLICY: ParameterCode.DEADLINE_POLICY,
                  Category.ASSIST: ParameterCode.DEADLINE_ASSIST, Category.EXIT: ParameterCode.DEADLINE_EXIT,
                  Category.BASIC: ParameterCode.DEADLINE_BASIC}


class OversightParameter(AuditedModel):
    """A policy figure per year and region with its source; the most specific region, then the exact year, wins."""

    code = models.CharField(_("参数"), max_length=20, choices=ParameterCode.choices)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True, help_text=_("留空为各年度通用"))
    region = models.ForeignKey("regions.Region", verbose_name=_("适用区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", help_text=_("留空为全国默认"))
    value = models.PositiveIntegerField(_("取值"))
    unit = models.CharField(_("单位"), max_length=10, blank=True, default="天")
    source = models.CharField(_("依据"), max_length=300, blank=True, help_text=_("文件名称和文号"))
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("整改参数")
        verbose_name_plural = _("整改参数")
        ordering = ["code", "region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["code", "year", "region"], name="oversight_parameter_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(year__isnull=True, region__isnull=True),
                                    name="oversight_parameter_unique_default"),
        ]

    def __str__(self):
        return f"{self.get_code_display()} = {self.value}{self.unit}"
