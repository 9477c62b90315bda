from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core.channels import Channel
from fupin.core.scope import ScopedQuerySet


class Action(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    VIEW_SENSITIVE = "view_sensitive", _("查看敏感信息")
    EXPORT = "export", _("导出")
    ARCHIVE = "archive", _("归档")
    RESET = "reset", _("日志重置")


class AuditLogQuerySet(ScopedQuerySet):
    """Append-only: rows are added through ``append`` and never changed or removed through the ORM."""

    def visible_to(self, user):
        # The audit administrator reviews the whole trail; department accounts see none of it.
        if not getattr(user, "may_read_audit_trail", False):
            return self.none()
        if user.can_read_audit:
            return self.all()
        return super().visible_to(user)

    def append(self, entries):
        from .chain import append  # chain.py imports AuditLog from here: the one import cycle inside this app

        return append(list(entries), using=self.db)

    def bulk_create(self, objs, *args, **kwargs):
        return self.append(objs)

    def update(self, **kwargs):
        raise AppendOnlyError

    def delete(self):
        raise AppendOnlyError


class AppendOnlyError(Exception):
    def __str__(self):
        return "操作日志只能追加，不能修改或删除"


class AuditLog(models.Model):
    """痕迹管理: one write (or sensitive read) — who, when, through which channel, what changed before and after.

    ``parent_*`` ties a member's or an income account's changes to its household, so a household's file shows
    its whole history.

    Append-only and hash-chained (docs/audit-log.md): rows are written only by ``audit.chain`` (through
    ``audit.services``), each carrying its predecessor's hash and its own. ``time`` is set when the entry is built,
    not by ``auto_now_add``, so the hashed value is the stored one. Accounts with a trail are deactivated, never
    deleted (PROTECT): unlinking them would rewrite hashed rows.
    """

    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
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
    prev_hash = models.CharField(_("上一条哈希"), max_length=64, default="")
    hash = models.CharField(_("哈希"), max_length=64, default="")

    objects = AuditLogQuerySet.as_manager()
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

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError
        if not self.hash:  # not chained yet: go through the one writer, which comes back here
            self.__class__.objects.db_manager(kwargs.get("using")).append([self])
            return
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError


class AuditArchive(models.Model):
    """One cut of the chain moved out of the table into a compressed file (``fupin audit archive``).

    The file holds the rows with their hashes; ``prev_hash`` is the link the first of them carries and
    ``last_hash`` the one the next row (archived or live) must carry, so the chain stays verifiable across the cut.
    """

    created = models.DateTimeField(_("归档时间"), default=timezone.now)
    username = models.CharField(_("操作人账号"), max_length=150, blank=True)
    path = models.CharField(_("归档文件"), max_length=500)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    before = models.DateTimeField(_("归档截止"))
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    first_time = models.DateTimeField()
    last_time = models.DateTimeField()
    rows = models.PositiveBigIntegerField(_("条数"))
    prev_hash = models.CharField(max_length=64)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("操作日志归档")
        verbose_name_plural = _("操作日志归档")
        ordering = ["-last_id"]
