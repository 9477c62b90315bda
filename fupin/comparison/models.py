"""数据比对: department data sets, their rows, comparison runs and the suspects (疑点) they raise.

A data set is one uploaded file of one kind (death records, 低保 recipients …). Its valid rows are stored with the
normalised ID number; kind-specific columns live in ``data``. A comparison run matches data sets against the
register with declared rules (``rules.py``) and keeps one suspect per rule and person (or household): re-running
refreshes, reopens or closes suspects instead of adding copies.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.audit.mixins import AuditedModel
from fupin.core.scope import ScopedQuerySet


class FieldType(models.TextChoices):
    TEXT = "text", _("文本")
    DATE = "date", _("日期")
    NUMBER = "number", _("数字")


class DatasetKind(models.Model):
    """数据类型: what a department file holds and which columns it has. Built-in kinds come from ``kinds.py``."""

    code = models.SlugField(_("类型代码"), max_length=40, unique=True, help_text=_("稳定的英文代码，如 death"))
    name = models.CharField(_("名称"), max_length=50)
    department = models.CharField(_("提供部门"), max_length=50, blank=True)
    departments = models.CharField(
        _("主管部门"), max_length=200, blank=True,
        help_text=_("哪些部门账号可以上传和查看此类数据：填部门账号的“所属部门”，多个用顿号分隔，如 公安、民政；"
                    "县级账号总能查看"),
    )
    description = models.TextField(_("说明"), blank=True)
    full_list = models.BooleanField(
        _("全量名单"), default=False,
        help_text=_("勾选：每次上传的是完整名单（如参保名单），比对以所选名单为准；不勾选：按批次累积的事件记录（如死亡记录）"),
    )
    retention_days = models.PositiveIntegerField(_("保存期限（天）"), default=365)
    builtin = models.BooleanField(_("内置"), default=False, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("比对数据类型")
        verbose_name_plural = _("比对数据类型")
        ordering = ["-builtin", "code"]

    def __str__(self):
        return self.name

    @property
    def department_list(self) -> list[str]:
        return split_list(self.departments)


def split_list(text: str) -> list[str]:
    """Items an administrator typed separated by 顿号 or commas."""
    return [a.strip() for a in text.replace("、", ",").replace("，", ",").split(",") if a.strip()]


class RememberedMapping(AuditedModel):
    """The headers an uploader's files used for each field of a kind, offered again on their next upload.

    Kept per kind and uploader — a department (with its region) or a region's own office — so one office's
    spreadsheet layout never rewrites another's.
    """

    kind = models.ForeignKey(DatasetKind, on_delete=models.CASCADE, related_name="remembered_mappings")
    department = models.CharField(_("部门"), max_length=50, blank=True)
    region_code = models.CharField(_("区划"), max_length=12, blank=True)
    mapping = models.JSONField(_("列对应"), default=dict, help_text=_("表头 → 字段代码"))
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    audit_region_field = "region_code"

    class Meta:
        verbose_name = _("记住的列对应")
        verbose_name_plural = _("记住的列对应")
        constraints = [models.UniqueConstraint(fields=["kind", "department", "region_code"],
                                               name="remembered_mapping_one_per_uploader")]

    def __str__(self):
        return f"{self.kind}：{self.department or self.region_code or '系统'}"


class KindField(models.Model):
    """One column of a kind. ``id_number`` and ``name`` are stored in their own columns, the rest in ``data``."""

    kind = models.ForeignKey(DatasetKind, on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(
        _("字段代码"), max_length=40, help_text=_("小写英文字母、数字和下划线，以字母开头，如 death_date")
    )
    label = models.CharField(_("字段名称"), max_length=50)
    type = models.CharField(_("类型"), max_length=8, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(_("必须有此列"), default=False)
    aliases = models.CharField(
        _("常见表头"), max_length=300, blank=True, help_text=_("用顿号或逗号分隔，上传时按这些表头自动对应")
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("数据字段")
        verbose_name_plural = _("数据字段")
        ordering = ["kind", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="kind_field_unique_name")]

    def __str__(self):
        return self.label

    @property
    def alias_list(self) -> list[str]:
        return split_list(self.aliases)


class RuleMode(models.TextChoices):
    PRESENT = "present", _("出现在名单中")
    ABSENT = "absent", _("不在名单中")


class CustomRule(models.Model):
    """A comparison rule an administrator defines for a kind: a registered member found in (or missing from) the
    kind's data sets, narrowed by an SQL condition. Compiled to the same SQL shape as the built-in rules."""

    code = models.SlugField(_("规则代码"), max_length=40, unique=True)
    name = models.CharField(_("疑点名称"), max_length=50)
    kind = models.ForeignKey(DatasetKind, verbose_name=_("数据类型"), on_delete=models.PROTECT, related_name="custom_rules")
    mode = models.CharField(_("比对方式"), max_length=8, choices=RuleMode.choices, default=RuleMode.PRESENT)
    condition = models.TextField(
        _("附加条件"), blank=True,
        help_text=_("SQL 条件表达式，可用 d.字段代码（部门数据）、m.成员字段、h.户字段，如 d.post LIKE '%书记%'；留空为无附加条件"),
    )
    description = models.TextField(_("规则说明"), blank=True)
    handling = models.TextField(_("处理建议"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("自定义比对规则")
        verbose_name_plural = _("自定义比对规则")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Dataset(AuditedModel):
    """One uploaded department file: its validation report and, in DatasetRow, its valid rows."""

    kind = models.ForeignKey(DatasetKind, verbose_name=_("数据类型"), on_delete=models.PROTECT, related_name="datasets")
    title = models.CharField(_("名称"), max_length=200)
    department = models.CharField(_("提供部门"), max_length=50, blank=True, db_index=True)
    region_code = models.CharField(_("上传单位区划"), max_length=12, blank=True, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    reference_date = models.DateField(_("数据截止日期"), help_text=_("名单反映哪一天的情况，用于计算年龄等"))
    mapping = models.JSONField(_("列对应"), default=dict)
    rows_read = models.PositiveIntegerField(_("读取行数"), default=0)
    rows_stored = models.PositiveIntegerField(_("有效行数"), default=0)
    ids_changed = models.PositiveIntegerField(_("规范化的证件号码"), default=0)
    ids_rejected = models.PositiveIntegerField(_("无效证件号码"), default=0)
    duplicates = models.PositiveIntegerField(_("重复证件号码行数"), default=0)
    report = models.JSONField(_("校验报告"), default=dict)
    error_file = models.CharField(max_length=300, blank=True)
    retention_until = models.DateField(_("保存至"))
    created = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_code"
    audit_region_field = "region_code"

    class Meta:
        verbose_name = _("比对数据集")
        verbose_name_plural = _("比对数据集")
        ordering = ["-created"]

    def __str__(self):
        return self.title


class DatasetRow(models.Model):
    """A valid row of a data set: the spreadsheet row number, the normalised ID number, and the other columns."""

    id = models.BigAutoField(primary_key=True)
    # No database constraint: rows are only ever written in bulk together with their data set, and a
    # million-row upload would otherwise pay a million foreign-key checks at commit. Deleting a data set still
    # deletes its rows (Django's cascade), and a data set is never deleted without them.
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="rows", db_constraint=False)
    row_no = models.PositiveIntegerField(_("行号"))
    id_number = models.CharField(_("证件号码"), max_length=18)
    name = models.CharField(_("姓名"), max_length=100, blank=True)
    data = models.JSONField(_("其他列"), default=dict)

    class Meta:
        verbose_name = _("数据行")
        verbose_name_plural = _("数据行")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class ComparisonRun(models.Model):
    """One comparison: which data sets, which rules, over which part of the register, and what it found."""

    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    datasets = models.ManyToManyField(Dataset, verbose_name=_("数据集"), blank=True, related_name="runs")
    rules = models.JSONField(_("比对规则"), default=list)
    region_code = models.CharField(_("比对范围"), max_length=12, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    summary = models.JSONField(_("结果"), default=dict)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    created = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_code"

    class Meta:
        verbose_name = _("比对任务")
        verbose_name_plural = _("比对任务")
        ordering = ["-created"]

    def __str__(self):
        return f"比对任务 #{self.pk}"


class SuspectStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    CONFIRMED = "confirmed", _("属实")
    REJECTED = "rejected", _("不属实")
    CLOSED = "closed", _("已消除")


class Suspect(AuditedModel):
    """疑点: a rule's finding about one person (or household), sent to its village to verify.

    ``subject_key`` is the person's ID number (or the household number for household rules); with the rule it
    identifies the suspect across runs. Names, numbers and the village code are copied so the suspect still reads
    after the member, household or data set is gone.
    """

    rule = models.CharField(_("比对规则"), max_length=40)
    subject_key = models.CharField(max_length=40)
    village_code = models.CharField(_("所属村"), max_length=12)
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("贫困户"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="suspects",
    )
    household_number = models.CharField(_("户编号"), max_length=20)
    member = models.ForeignKey(
        "registry.Member", verbose_name=_("成员"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="suspects",
    )
    member_name = models.CharField(_("姓名"), max_length=50, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=18, blank=True)
    dataset = models.ForeignKey(
        Dataset, verbose_name=_("数据集"), null=True, blank=True, on_delete=models.SET_NULL, related_name="suspects"
    )
    row_no = models.PositiveIntegerField(_("数据行号"), null=True, blank=True)
    evidence = models.JSONField(_("比对依据"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=SuspectStatus.choices, default=SuspectStatus.OPEN)
    first_run = models.ForeignKey(
        ComparisonRun, verbose_name=_("发现于"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(_("反馈期限"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("核查人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    action_taken = models.TextField(_("处理措施"), blank=True)
    reason = models.TextField(_("不属实原因"), blank=True)
    # A path under MEDIA_ROOT, stored as text so the audit trail records it like any other value.
    attachment = models.CharField(_("佐证材料"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("消除时间"), null=True, blank=True)
    close_note = models.CharField(_("消除说明"), max_length=200, blank=True)
    created = models.DateTimeField(_("发现时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village_code"
    masked_fields = ("id_number",)
    audit_region_field = "village_code"
    audit_parent_field = "household"

    class Meta:
        verbose_name = _("疑点")
        verbose_name_plural = _("疑点")
        ordering = ["village_code", "household_number", "rule"]
        constraints = [models.UniqueConstraint(fields=["rule", "subject_key"], name="suspect_one_per_rule_subject")]
        indexes = [
            models.Index(fields=["village_code", "status"]),
            models.Index(fields=["rule", "status"]),
        ]

    def __str__(self):
        return f"{self.member_name or self.household_number}：{self.rule}"
