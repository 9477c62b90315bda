import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.core.scope import ScopedQuerySet
from fupin.regions.models import Level, code_prefix


class Role(models.TextChoices):
    VILLAGE = "village", _("村级")
    TOWNSHIP = "township", _("乡镇级")
    COUNTY = "county", _("县级")
    DEPARTMENT = "department", _("行业部门")
    LEADER = "leader", _("领导（只读）")
    AUDITOR = "auditor", _("审计督查（只读）")
    ADMIN = "admin", _("系统管理员")
    # 三员分立 (GB/T 22239-2019): the security and audit administrators are separate accounts from the system
    # administrator, and each account holds exactly one role.
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


READ_ONLY_ROLES = {Role.LEADER, Role.AUDITOR, Role.AUDIT_ADMIN}
# The three administrators of 三员分立; none of them works on the register.
ADMIN_ROLES = {Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
# The lowest region level each role may be bound to (a village role on a village, a township role on a township…).
ROLE_LEVEL = {Role.VILLAGE: Level.VILLAGE, Role.TOWNSHIP: Level.TOWNSHIP, Role.COUNTY: Level.COUNTY}


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    """An account bound to one region node with one role; it sees and changes only that node's subtree."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.VILLAGE)
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    department = models.CharField(_("所属部门"), max_length=50, blank=True)
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = ScopedUserManager()
    scope_field = "region__code"
    hidden_fields = ("password",)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    @property
    def scope_prefix(self) -> str:
        return code_prefix(self.region.code, self.region.level) if self.region_id else ""

    @property
    def can_write(self) -> bool:
        return self.is_active and self.role not in READ_ONLY_ROLES

    @property
    def can_administer(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a SHA-256 digest of the key is stored; the key is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    name = models.CharField(_("用途"), max_length=100, blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self):
        return f"{self.prefix}… {self.name}"

    @staticmethod
    def generate_key() -> str:
        return secrets.token_hex(24)

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class LoginLog(models.Model):
    """登录日志: every login attempt, successful or not."""

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    username = models.CharField(_("用户名"), max_length=150)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    success = models.BooleanField(_("成功"))
    reason = models.CharField(_("说明"), max_length=100, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    region_code = models.CharField(max_length=12, blank=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_code"

    class Meta:
        verbose_name = _("登录日志")
        verbose_name_plural = _("登录日志")
        ordering = ["-time"]
