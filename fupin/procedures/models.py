"""Procedures (程序): identification, exit, return to poverty and natural change, their public notices, the
poverty lines they check against, and the yearly dynamic adjustment (动态调整) with its frozen register snapshot.

Procedure definitions are data: an administrator edits the steps (order, actor level, deadline, required
attachments, notice days). A started procedure copies its steps, so later edits never change running procedures.
"""

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet
from fupin.regions.models import Level

ACTOR_LEVELS = [(Level.COUNTY, _("县级")), (Level.TOWNSHIP, _("乡镇级")), (Level.VILLAGE, _("村级"))]
MONEY = {"max_digits": 12, "decimal_places": 2}


class LineKind(models.TextChoices):
    POVERTY = "poverty", _("扶贫标准（贫困线）")
    MONITORING = "monitoring", _("防返贫监测范围")


class PovertyLine(AuditedModel):
    """A line per kind, year and region; no region means the national figure. The most specific region wins."""

    kind = models.CharField(_("类别"), max_length=16, choices=LineKind.choices, default=LineKind.POVERTY)
    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("适用区划"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("留空为全国标准；填省、市或县区划代码为地方标准"),
    )
    amount = models.DecimalField(_("标准（元/人·年）"), **MONEY)
    document = models.CharField(_("文件依据"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("扶贫标准")
        verbose_name_plural = _("扶贫标准")
        ordering = ["kind", "-year", "region"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "region"], name="poverty_line_unique_region"),
            models.UniqueConstraint(
                fields=["kind", "year"], condition=Q(region__isnull=True), name="poverty_line_unique_national"
            ),
        ]

    def __str__(self):
        return f"{self.year}年{self.region.name if self.region_id else '全国'}{self.get_kind_display()} {self.amount}元"


class NoticeKind(models.TextChoices):
    PUBLICITY = "publicity", _("公示")
    ANNOUNCEMENT = "announcement", _("公告")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")


class CalendarDay(AuditedModel):
    """节假日与调休: a dated exception to the Monday–Friday working week, by which step deadlines count working days.

    No region is the national calendar (国务院办公厅 each year's 部分节假日安排); a region's own row (a 民族自治地方's
    holiday, say) wins over the national one for its villages, the most specific region as for lines.
    """

    date = models.DateField(_("日期"))
    kind = models.CharField(_("类别"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=50, help_text=_("如：春节、国庆节"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("适用区划"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("留空为全国安排；填省、市或县区划代码为地方安排"),
    )
    document = models.CharField(_("文件依据"), max_length=200, blank=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date", "region"]
        constraints = [
            models.UniqueConstraint(fields=["date", "region"], name="calendar_day_unique_region"),
            models.UniqueConstraint(fields=["date"], condition=Q(region__isnull=True), name="calendar_day_unique_national"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}{self.get_kind_display()}（{self.region.name if self.region_id else '全国'}）"


class AttachmentKind(models.Model):
    """A kind of supporting document a step may require (评议会议记录, 公示照片, 户签字确认书 …)."""

    code = models.CharField(_("代码"), max_length=20, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("附件类别")
        verbose_name_plural = _("附件类别")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class Kind(models.TextChoices):
    IDENTIFICATION = "identification", _("识别纳入")
    EXIT = "exit", _("脱贫退出")
    RETURN = "return", _("返贫纳入")
    NATURAL = "natural", _("自然变更")


# Kinds other apps run on this engine (monitoring's 监测对象认定 and 风险消除): code → label, filled by
# services.register_kind together with the kind's check and outcome.
REGISTERED_KINDS: dict[str, str] = {}


def kind_choices() -> list[tuple[str, str]]:
    return list({**dict(Kind.choices), **REGISTERED_KINDS}.items())


def kind_label(code: str) -> str:
    return str(dict(kind_choices()).get(code, code))


class ProcedureDefinition(AuditedModel):
    """The configured chain of steps for one kind of procedure; a region's own definition overrides the national."""

    kind = models.CharField(_("程序类别"), max_length=16, choices=kind_choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("适用区划"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("留空为全国默认流程"),
    )
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("程序定义")
        verbose_name_plural = _("程序定义")
        ordering = ["kind", "region"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "region"], name="procedure_definition_unique_region"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(region__isnull=True), name="procedure_definition_unique_national"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.region.name if self.region_id else '全国默认'}）"


class StepFields(models.Model):
    """What a step is; shared by the configured step and the copy a running procedure keeps."""

    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("环节名称"), max_length=50)
    actor_level = models.PositiveSmallIntegerField(_("办理层级"), choices=ACTOR_LEVELS)
    deadline_days = models.PositiveSmallIntegerField(_("办理时限"), default=7)
    working_days = models.BooleanField(
        _("按工作日计"), default=True, help_text=_("时限按工作日计算，跳过周末和节假日、计入调休上班日；不勾选按自然日")
    )
    attachment_kinds = models.CharField(_("必传附件"), max_length=200, blank=True, help_text=_("附件类别代码，逗号分隔"))
    notice_days = models.PositiveSmallIntegerField(
        _("公示天数"), default=0, help_text=_("大于0表示公示环节：须发布公示且公示期满、异议已答复后方可通过")
    )
    notice_kind = models.CharField(
        _("公示类别"), max_length=16, choices=NoticeKind.choices, default=NoticeKind.PUBLICITY,
        help_text=_("公示环节发布公示还是公告（如县级公告）"),
    )

    class Meta:
        abstract = True

    @property
    def is_notice(self) -> bool:
        return self.notice_days > 0

    @property
    def required_kinds(self) -> list[str]:
        return [k for k in self.attachment_kinds.split(",") if k]


class StepDefinition(StepFields):
    definition = models.ForeignKey(ProcedureDefinition, on_delete=models.CASCADE, related_name="steps")
    description = models.CharField(_("办理要求"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("环节定义")
        verbose_name_plural = _("环节定义")
        ordering = ["definition", "order"]
        constraints = [models.UniqueConstraint(fields=["definition", "order"], name="step_definition_unique_order")]

    def __str__(self):
        return f"{self.order}. {self.name}"


class Status(models.TextChoices):
    IN_PROGRESS = "in_progress", _("办理中")
    APPROVED = "approved", _("已审批")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class Procedure(AuditedModel):
    """One household's procedure. ``details`` holds what the kind needs (proposed category and cause, the member
    change); ``figures`` the line and household facts the start was checked against."""

    kind = models.CharField(_("程序类别"), max_length=16, choices=kind_choices, db_index=True)
    definition = models.ForeignKey(ProcedureDefinition, verbose_name=_("流程"), on_delete=models.PROTECT)
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("户"), on_delete=models.PROTECT, related_name="procedures"
    )
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    current_order = models.PositiveSmallIntegerField(_("当前环节"), null=True, blank=True)
    reason = models.TextField(_("申请理由"), blank=True)
    details = models.JSONField(_("办理内容"), default=dict, blank=True)
    # The ID number of a member a natural change adds; kept out of ``details`` so the audit trail can mask it.
    member_id_number = models.CharField(_("增员证件号码"), max_length=18, blank=True)
    figures = models.JSONField(_("发起时校验数据"), default=dict, blank=True)
    adjustment = models.ForeignKey(
        "Adjustment", verbose_name=_("动态调整"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="procedures",
    )
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    masked_fields = ("member_id_number",)
    audit_region_field = "village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("程序")
        verbose_name_plural = _("程序")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["village", "status"]), models.Index(fields=["household", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()}程序 #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == Status.IN_PROGRESS

    @property
    def current_step(self):
        if self.current_order is None:
            return None
        return next((s for s in self.steps.all() if s.order == self.current_order), None)


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("未开始")
    ACTIVE = "active", _("办理中")
    PASSED = "passed", _("已通过")
    REJECTED = "rejected", _("不予通过")


class ProcedureStep(StepFields):
    """A running procedure's copy of one configured step, with its state."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(_("状态"), max_length=10, choices=StepStatus.choices, default=StepStatus.WAITING)
    started = models.DateField(_("开始日期"), null=True, blank=True)
    due = models.DateField(_("办理期限"), null=True, blank=True, db_index=True)
    finished = models.DateTimeField(_("办结时间"), null=True, blank=True)
    escalated = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "procedure__village__code"

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["procedure", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "order"], name="procedure_step_unique_order")]
        indexes = [models.Index(fields=["status", "due"])]

    def __str__(self):
        return f"{self.order}. {self.name}"

    @property
    def is_overdue(self) -> bool:
        return self.status == StepStatus.ACTIVE and self.due is not None and self.due < timezone.localdate()


class Decision(models.TextChoices):
    START = "start", _("发起")
    PASS = "pass", _("通过")
    RETURN = "return", _("退回")
    REJECT = "reject", _("不予通过")
    WITHDRAW = "withdraw", _("撤回")
    ESCALATE = "escalate", _("逾期上报")


class ProcedureAction(models.Model):
    """办理记录: every decision on a procedure, with the comment and the figures it relied on."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="actions")
    step = models.ForeignKey(ProcedureStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    decision = models.CharField(_("办理结果"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("办理意见"), blank=True)
    figures = models.JSONField(_("依据数据"), default=dict, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("办理人"), max_length=150, blank=True)
    time = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["time", "id"]


def attachment_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"procedures/{instance.procedure_id}/{timezone.now():%Y%m%d%H%M%S%f}{suffix}"


class Attachment(AuditedModel):
    """A supporting document uploaded at a step (minutes, photos, signed acknowledgement …)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="attachments")
    step = models.ForeignKey(ProcedureStep, on_delete=models.CASCADE, related_name="attachments")
    kind = models.ForeignKey(AttachmentKind, verbose_name=_("附件类别"), on_delete=models.PROTECT)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "procedure__village__code"
    audit_region_field = "procedure.village"
    audit_parent_field = "procedure.household"

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded", "id"]

    def __str__(self):
        return f"{self.kind.name}：{self.original_name}"


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


# The columns of a household notice (NoticeItem.row keys and their headings).
HOUSEHOLD_COLUMNS = (("head_name", "户主姓名"), ("village", "所属村"), ("size", "家庭人口"), ("category", "贫困户属性"),
                     ("cause", "致贫原因"), ("matter", "事项"))


class Notice(AuditedModel):
    """公示/公告: a batch of procedures shown to the public from start to end date by one village, township or county.

    ``columns`` names the row keys and headings of a notice of other subjects (an app above publishing its own
    rows, such as 扶贫项目); empty is the household columns.
    """

    kind = models.CharField(_("类别"), max_length=16, choices=NoticeKind.choices, default=NoticeKind.PUBLICITY)
    level = models.PositiveSmallIntegerField(_("发布层级"), choices=ACTOR_LEVELS)
    region = models.ForeignKey("regions.Region", verbose_name=_("发布单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    contact = models.CharField(_("异议受理电话/地点"), max_length=200, blank=True)
    start_date = models.DateField(_("公示开始"))
    end_date = models.DateField(_("公示截止"))
    status = models.CharField(_("状态"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published = models.DateTimeField(_("发布时间"), null=True, blank=True)
    columns = models.JSONField(_("公示列"), default=list, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("公示公告")
        verbose_name_plural = _("公示公告")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["status", "start_date", "end_date"])]

    def __str__(self):
        return self.title

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.status == NoticeStatus.PUBLISHED and self.start_date <= today <= self.end_date

    @property
    def period_ended(self) -> bool:
        return self.status == NoticeStatus.PUBLISHED and self.end_date < timezone.localdate()

    @property
    def column_list(self) -> list[tuple[str, str]]:
        return [tuple(c) for c in self.columns] or list(HOUSEHOLD_COLUMNS)

    @property
    def headings(self) -> list[str]:
        return [label for _, label in self.column_list]


class NoticeItem(models.Model):
    """One household on a notice: a procedure's, or a household the county stopped enjoying policies
    (``policy_end``, on its 退出享受政策公告), or a ``subject`` of an app above ("projects.project:12", its row given
    by that app). ``row`` keeps the published columns as shown, so later register edits do not rewrite a notice the
    public has seen. It holds only public columns: never ID number, phone, bank or health."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="items")
    procedure = models.ForeignKey(Procedure, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="notice_items")
    policy_end = models.ForeignKey("PolicyEnd", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="notice_items")
    step = models.ForeignKey(ProcedureStep, null=True, blank=True, on_delete=models.PROTECT, related_name="notice_items")
    subject = models.CharField(max_length=60, blank=True, db_index=True)
    row = models.JSONField(default=dict)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("公示对象")
        verbose_name_plural = _("公示对象")
        ordering = ["notice", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "procedure"], name="notice_item_unique_procedure"),
            models.UniqueConstraint(fields=["notice", "policy_end"], name="notice_item_unique_policy_end"),
            models.CheckConstraint(
                condition=Q(procedure__isnull=False, policy_end__isnull=True, subject="")
                | Q(procedure__isnull=True, policy_end__isnull=False, subject="")
                | Q(procedure__isnull=True, policy_end__isnull=True) & ~Q(subject=""),
                name="notice_item_one_subject",
            ),
        ]

    def __str__(self):
        return self.label if self.subject else self.row.get("head_name", "")

    @property
    def cells(self) -> list:
        """The row in the notice's column order (``notice.items.all()`` has the notice cached: no query)."""
        return [self.row.get(key, "") for key, _ in self.notice.column_list]

    @property
    def label(self) -> str:
        """How an objection names the item: the household's head and village, or a subject's first two columns."""
        if not self.subject:
            return f"{self.row.get('head_name', '')}（{self.row.get('village', '')}）"
        first, second = (self.cells + ["", ""])[:2]
        return f"{first}（{second}）"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


class Objection(AuditedModel):
    """异议: lodged during a notice period. An open one holds its household (or, with no item, the whole notice)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections")
    item = models.ForeignKey(
        NoticeItem, verbose_name=_("异议对象"), null=True, blank=True, on_delete=models.CASCADE, related_name="objections"
    )
    name = models.CharField(_("异议人"), max_length=50)
    contact = models.CharField(_("联系方式"), max_length=100)
    content = models.TextField(_("异议内容"), max_length=2000)
    channel = models.CharField(_("渠道"), max_length=10, default="public")
    lodged = models.DateTimeField(_("提出时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    answer = models.TextField(_("答复内容"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered = models.DateTimeField(_("答复时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "notice__region__code"
    audit_region_field = "notice.region"

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["lodged", "id"]

    def __str__(self):
        return f"{self.name}的异议"


class AdjustmentStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已关闭（数据已锁定）")


class Adjustment(AuditedModel):
    """动态调整: one county's yearly adjustment, opened and closed by the county; closing freezes the register."""

    county = models.ForeignKey("regions.Region", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=AdjustmentStatus.choices, default=AdjustmentStatus.OPEN)
    line_amount = models.DecimalField(_("适用扶贫标准"), null=True, blank=True, **MONEY)
    proposed = models.DateTimeField(_("最近测算时间"), null=True, blank=True)
    opened = models.DateTimeField(_("开启时间"), auto_now_add=True)
    closed = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "county__code"
    audit_region_field = "county"

    class Meta:
        verbose_name = _("动态调整")
        verbose_name_plural = _("动态调整")
        ordering = ["-year", "county"]
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="adjustment_one_per_county_year")]

    def __str__(self):
        return f"{self.county.name}{self.year}年度动态调整"

    @property
    def is_open(self) -> bool:
        return self.status == AdjustmentStatus.OPEN


class AdjustmentEvent(models.Model):
    """Opening, proposing, closing and reopening an adjustment, with who and why (reopening needs a reason)."""

    adjustment = models.ForeignKey(Adjustment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    reason = models.TextField(_("原因"), blank=True)
    figures = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("操作人"), max_length=150, blank=True)
    time = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["time", "id"]


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", _("待村级确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("不纳入")
    STARTED = "started", _("已发起程序")
    REFUSED = "refused", _("发起未通过校验")


class Candidate(AuditedModel):
    """A household the yearly adjustment proposes for a procedure, with the figures that put it on the list."""

    adjustment = models.ForeignKey(Adjustment, on_delete=models.CASCADE, related_name="candidates")
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("拟办程序"), max_length=16, choices=Kind.choices)
    per_capita_income = models.DecimalField(_("人均纯收入"), null=True, blank=True, **MONEY)
    line_amount = models.DecimalField(_("扶贫标准"), null=True, blank=True, **MONEY)
    security_ok = models.BooleanField(_("两不愁三保障"), null=True)
    members_added = models.PositiveSmallIntegerField(_("本年新增成员"), default=0)
    members_removed = models.PositiveSmallIntegerField(_("本年减少成员"), default=0)
    details = models.JSONField(_("办理内容"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=CandidateStatus.choices,
                              default=CandidateStatus.PROPOSED, db_index=True)
    reason = models.CharField(_("确认意见/原因"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided = models.DateTimeField(_("确认时间"), null=True, blank=True)
    procedure = models.ForeignKey(Procedure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"

    class Meta:
        verbose_name = _("调整候选")
        verbose_name_plural = _("调整候选")
        ordering = ["village", "household"]
        constraints = [
            models.UniqueConstraint(fields=["adjustment", "household", "kind"], name="candidate_unique_household_kind")
        ]
        indexes = [models.Index(fields=["adjustment", "status", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()}候选 {self.household_id}"


class SnapshotHousehold(models.Model):
    """年度数据锁定: the register as it stood when the county closed the year; yearly statistics read from here."""

    adjustment = models.ForeignKey(Adjustment, on_delete=models.CASCADE, related_name="snapshot")
    year = models.PositiveSmallIntegerField(_("年度"))
    household_id = models.BigIntegerField(_("户ID"))
    number = models.CharField(_("户编号"), max_length=20)
    village_id = models.CharField(_("所属村"), max_length=12)
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True)
    status = models.CharField(_("户状态"), max_length=8)
    category = models.CharField(_("贫困户属性"), max_length=8, blank=True)
    main_cause = models.CharField(_("主要致贫原因"), max_length=8, blank=True)
    size = models.PositiveSmallIntegerField(_("家庭人口数"), default=0)
    identification_year = models.PositiveSmallIntegerField(_("识别年度"), null=True)
    exit_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True)
    enjoys_policy = models.BooleanField(_("享受政策"))
    per_capita_net_income = models.DecimalField(_("人均纯收入"), null=True, **MONEY)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village_id"

    class Meta:
        verbose_name = _("年度锁定数据")
        verbose_name_plural = _("年度锁定数据")
        indexes = [models.Index(fields=["year", "village_id"]), models.Index(fields=["adjustment", "status"])]


class PolicyEnd(AuditedModel):
    """退出享受政策台账: a 稳定脱贫户 the county stopped enjoying policies (过渡期政策结束), one row per decision, kept
    apart from the register and published on a county 公告 (its ``notice_items``)."""

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="policy_ends")
    village = models.ForeignKey("regions.Region", verbose_name=_("所属村"), on_delete=models.PROTECT, related_name="+")
    exit_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    date = models.DateField(_("停止享受政策日期"))
    reason = models.CharField(_("依据（文件文号或原因）"), max_length=500)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定账号"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village__code"
    audit_region_field = "village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("退出享受政策")
        verbose_name_plural = _("退出享受政策台账")
        ordering = ["-date", "village", "id"]
        indexes = [models.Index(fields=["village", "date"])]

    def __str__(self):
        return f"退出享受政策 #{self.pk}"
