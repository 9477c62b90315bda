from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.core.scope import ScopedQuerySet


class Channel(models.TextChoices):
    PAGE = "page", _("页面")
    API = "api", _("接口")
    IMPORT = "import", _("导入")
    CLI = "cli", _("命令行")
    SYSTEM = "system", _("系统")


class Action(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    VIEW_SENSITIVE = "view_sensitive", _("查看敏感信息")
    EXPORT = "export", _("导出")


class AuditLog(models.Model):
    """痕迹管理: one write (or sensitive read) — who, when, through which channel, what changed before and after.

    ``parent_*`` ties a member's or an income account's changes to its household, so a household's file shows
    its whole history.
    """

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField(_("操作人账号"), max_length=150, blank=True)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=50)
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    parent_type = models.CharField(max_length=50, blank=True)
    parent_id = models.CharField(max_length=64, blank=True)
    region_code = models.CharField(_("区划代码"), max_length=12, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_code"

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["parent_type", "parent_id"]),
            models.Index(fields=["region_code", "time"]),
        ]
