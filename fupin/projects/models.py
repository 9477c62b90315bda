"""扶贫项目: the county's project library (项目库), each project's approval (村申报、乡审核、县审定 with 公示/公告,
docs/domain-facts.md §6), implementation (progress, milestones, photos), acceptance (验收), handover to an asset
(移交, done in the assets app) and the households it reaches (受益户).

The approval runs on the procedures engine's step data: a ``ProcedureDefinition`` of kind ``project_approval``
(editable on the definitions page) is copied into the project's own ``ProjectStep`` rows at declaration, so later
edits of the chain never change a running approval; its notices are procedures ``Notice`` rows.
"""

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet
from fupin.procedures.models import Decision, StepFields, StepStatus

MONEY = {"max_digits": 14, "decimal_places": 2}
APPROVAL_KIND = "project_approval"


class ProjectKind(models.TextChoices):
    """项目类别 (docs/domain-facts.md §6, the "六个一批" items of the 户脱贫措施及项目规划表)."""

    INDUSTRY = "industry", _("产业发展")
    EMPLOYMENT = "employment", _("就业扶贫")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    PUBLIC_SERVICE = "public_service", _("公共服务")
    EDUCATION = "education", _("教育")
    HEALTH = "health", _("健康")
    HOUSING = "housing", _("危房改造")
    RELOCATION = "relocation", _("易地搬迁")
    FINANCE = "finance", _("金融扶贫")
    OTHER = "other", _("其他")


class PlannedSource(models.TextChoices):
    """计划资金来源 (docs/domain-facts.md §6, the sources of 扶贫项目资产)."""

    SPECIAL = "special", _("财政专项扶贫资金")
    INTEGRATED = "integrated", _("统筹整合涉农资金")
    SECTOR = "sector", _("行业扶贫资金")
    BOND = "bond", _("地方政府债券")
    EAST_WEST = "east_west", _("东西部协作资金")
    PAIRED = "paired", _("定点帮扶资金")
    DONATION = "donation", _("社会捐赠")
    SELF = "self", _("群众自筹")
    OTHER = "other", _("其他")


class ProjectStatus(models.TextChoices):
    DECLARED = "declared", _("申报中")
    APPROVED = "approved", _("已审批")
    IN_PROGRESS = "in_progress", _("实施中")
    ACCEPTED = "accepted", _("已验收")
    HANDED_OVER = "handed_over", _("已移交")
    REJECTED = "rejected", _("未通过审批")


class LibraryStatus(models.TextChoices):
    IN = "in", _("在库")
    OUT = "out", _("已出库")


class Project(AuditedModel):
    """A project in the library: where, what, how much from where, who builds it and whom it is meant to reach."""

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("实施地点"), on_delete=models.PROTECT,
                               related_name="+", help_text=_("项目所在的村或乡镇"))
    name = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("项目类别"), max_length=16, choices=ProjectKind.choices)
    status = models.CharField(_("项目状态"), max_length=12, choices=ProjectStatus.choices,
                              default=ProjectStatus.DECLARED, db_index=True)
    planned_amount = models.DecimalField(_("计划投资（元）"), **MONEY)
    fund_source = models.CharField(_("计划资金来源"), max_length=12, choices=PlannedSource.choices,
                                   default=PlannedSource.SPECIAL)
    implementing_unit = models.CharField(_("实施单位"), max_length=200)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_end = models.DateField(_("计划完工"), null=True, blank=True)
    scale = models.CharField(_("建设规模"), max_length=300, blank=True, help_text=_("如：硬化道路3.2公里"))
    content = models.TextField(_("建设内容"), max_length=2000, blank=True)
    benefit_mechanism = models.TextField(_("带贫机制"), max_length=2000, blank=True,
                                         help_text=_("联农带农方式：务工、分红、租金、订单收购等"))
    expected_households = models.PositiveIntegerField(_("预计受益户数"), default=0)
    expected_people = models.PositiveIntegerField(_("预计受益人数"), default=0)
    expected_poor_households = models.PositiveIntegerField(_("其中脱贫户（建档立卡户）"), default=0)
    expected_monitored_households = models.PositiveIntegerField(_("其中监测户"), default=0)
    library_status = models.CharField(_("入库状态"), max_length=4, choices=LibraryStatus.choices,
                                      default=LibraryStatus.IN, db_index=True)
    library_date = models.DateField(_("入库/出库日期"), default=timezone.localdate)
    library_reason = models.CharField(_("入库/出库原因"), max_length=300, blank=True)
    current_order = models.PositiveSmallIntegerField(_("当前审批环节"), null=True, blank=True)
    approved_on = models.DateField(_("审批日期"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("实施进度（%）"), default=0)
    started_on = models.DateField(_("实际开工"), null=True, blank=True)
    completed_on = models.DateField(_("实际完工"), null=True, blank=True)
    handed_over_on = models.DateField(_("移交日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region__code"

    class Meta:
        verbose_name = _("扶贫项目")
        verbose_name_plural = _("扶贫项目")
        ordering = ["-year", "region", "id"]
        indexes = [models.Index(fields=["year", "status"]), models.Index(fields=["region", "year"])]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="project_progress_percent")]

    def __str__(self):
        return f"{self.year}年 {self.name}"

    @property
    def current_step(self):
        if self.current_order is None:
            return None
        return next((s for s in self.steps.all() if s.order == self.current_order), None)


class LibraryAction(models.TextChoices):
    ENTER = "enter", _("入库")
    REMOVE = "remove", _("出库")


class LibraryChange(models.Model):
    """项目库动态调整: every 入库/出库 with its date and reason (备案); a removed project stays as history."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="library_changes")
    action = models.CharField(_("操作"), max_length=8, choices=LibraryAction.choices)
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("操作人"), max_length=150, blank=True)
    time = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "project__region__code"

    class Meta:
        verbose_name = _("入库出库记录")
        verbose_name_plural = _("入库出库记录")
        ordering = ["time", "id"]


class ProjectStep(StepFields):
    """A project's copy of one configured approval step (村申报 → 村审核 → 乡镇审查 → 县审批 …), with its state."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(_("状态"), max_length=10, choices=StepStatus.choices, default=StepStatus.WAITING)
    started = models.DateField(_("开始日期"), null=True, blank=True)
    due = models.DateField(_("办理期限"), null=True, blank=True)
    finished = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "project__region__code"

    class Meta:
        verbose_name = _("审批环节")
        verbose_name_plural = _("审批环节")
        ordering = ["project", "order"]
        constraints = [models.UniqueConstraint(fields=["project", "order"], name="project_step_unique_order")]

    def __str__(self):
        return f"{self.order}. {self.name}"


class ProjectAction(models.Model):
    """审批记录: each decision on a project's approval, with the comment (the procedures engine's decisions)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="actions")
    step = models.ForeignKey(ProjectStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    decision = models.CharField(_("办理结果"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("办理意见"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("办理人"), max_length=150, blank=True)
    time = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        ordering = ["time", "id"]


class Milestone(AuditedModel):
    """实施节点: a dated entry of what was done (开工, 主体完工 …), with the progress reached."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("日期"))
    text = models.CharField(_("进展情况"), max_length=500)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "project__region__code"
    audit_region_field = "project.region"
    audit_parent_field = "project"

    class Meta:
        verbose_name = _("实施节点")
        verbose_name_plural = _("实施节点")
        ordering = ["date", "id"]


def _file_path(folder: str, project_id, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"projects/{project_id}/{folder}/{timezone.now():%Y%m%d%H%M%S%f}{suffix}"


def photo_path(instance, filename):
    return _file_path("photos", instance.project_id, filename)


class ProjectPhoto(models.Model):
    """A site photo (施工前/中/后), served through the scoped photo view."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to=photo_path, max_length=200)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "project__region__code"

    class Meta:
        verbose_name = _("项目照片")
        verbose_name_plural = _("项目照片")
        ordering = ["uploaded", "id"]


class AcceptanceResult(models.TextChoices):
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


class Acceptance(AuditedModel):
    """验收: a dated check by a team; 不合格 leaves the project in implementation for another acceptance."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="acceptances")
    date = models.DateField(_("验收日期"))
    team = models.CharField(_("验收组成员"), max_length=300)
    result = models.CharField(_("验收结论"), max_length=8, choices=AcceptanceResult.choices)
    remarks = models.TextField(_("验收意见"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "project__region__code"
    audit_region_field = "project.region"
    audit_parent_field = "project"

    class Meta:
        verbose_name = _("项目验收")
        verbose_name_plural = _("项目验收")
        ordering = ["date", "id"]


def document_path(instance, filename):
    return _file_path("acceptance", instance.acceptance.project_id, filename)


class AcceptanceDocument(models.Model):
    """验收资料: the report, minutes or photos an acceptance rests on."""

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("文件"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "acceptance__project__region__code"

    class Meta:
        verbose_name = _("验收资料")
        verbose_name_plural = _("验收资料")
        ordering = ["uploaded", "id"]


class ProjectBeneficiary(AuditedModel):
    """受益户: a household the project reaches."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="beneficiaries")
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="project_benefits")
    note = models.CharField(_("受益方式"), max_length=200, blank=True, help_text=_("如：务工、分红、道路通达"))
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "household__village__code"
    audit_region_field = "household.village"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("受益户")
        verbose_name_plural = _("受益户")
        ordering = ["project", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "household"], name="project_beneficiary_unique")]

    def __str__(self):
        return f"{self.project_id} 受益户 {self.household_id}"
