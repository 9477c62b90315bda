import datetime as dt
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
# Roles only the server operator (command line) assigns: a system administrator who could create them could hold
# all three powers.
OPERATOR_ROLES = {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
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
    # Login failures before this time no longer count (set when the security administrator unlocks the account).
    lockout_reset_at = models.DateTimeField(_("解锁时间"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    totp_secret = models.CharField(_("动态口令密钥"), max_length=64, blank=True)
    totp_enabled_at = models.DateTimeField(_("动态口令启用时间"), null=True, blank=True)
    # The last accepted 30-second time step: a code is accepted once only.
    totp_last_step = models.BigIntegerField(null=True, blank=True)

    objects = ScopedUserManager()
    scope_field = "region__code"
    hidden_fields = ("password", "totp_secret")

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

    # 三员分立: each of the three administrator capabilities belongs to one role. A superuser is a system
    # administrator without a region (the services refuse the flag on any other role); it gains no security or
    # audit powers.
    @property
    def can_administer(self) -> bool:
        """System administrator: accounts, regions, dictionaries."""
        return self.is_active and (self.is_superuser or self.role == Role.ADMIN)

    @property
    def can_manage_security(self) -> bool:
        """Security administrator: unlocking, second factors, tokens of others, the login log, password policy."""
        return self.is_active and self.role == Role.SECURITY_ADMIN and not self.is_superuser

    @property
    def can_read_audit(self) -> bool:
        """Audit administrator: the audit log and its verification."""
        return self.is_active and self.role == Role.AUDIT_ADMIN and not self.is_superuser

    @property
    def may_read_audit_trail(self) -> bool:
        """Department accounts have no business with the audit trail (their own data sets show their history)."""
        return self.role != Role.DEPARTMENT

    @property
    def totp_required(self) -> bool:
        return self.is_superuser or self.role in ADMIN_ROLES

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    def password_expired(self) -> bool:
        days = settings.FUPIN_PASSWORD_MAX_AGE_DAYS
        changed = self.password_changed_at or self.date_joined
        return bool(days) and changed + dt.timedelta(days=days) < timezone.now()


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
    def lifetime() -> dt.timedelta:
        return dt.timedelta(days=settings.FUPIN_API_TOKEN_DAYS)

    @property
    def expires(self) -> dt.datetime:
        """Computed from the setting, so shortening FUPIN_API_TOKEN_DAYS also shortens tokens already issued."""
        return self.created + self.lifetime()

    def is_expired(self) -> bool:
        return self.expires <= timezone.now()

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
        # The login throttles count recent failures per (account, IP) and per IP.
        indexes = [
            models.Index(fields=["username", "ip", "time"], name="loginlog_user_ip_time"),
            models.Index(fields=["ip", "time"], name="loginlog_ip_time"),
        ]
