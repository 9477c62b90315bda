"""Account actions: login with lockout and login log, creating and changing users within the admin's scope."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.audit.models import Action
from fupin.audit.services import record_change, snapshot
from fupin.core.scope import in_scope
from fupin.regions.models import Level

from .models import ROLE_LEVEL, ApiToken, LoginLog, Role, User


class LoginRefused(Exception):
    """Login failed; the message is shown to the user as is."""


def _client(request):
    if request is None:
        return None, ""
    return request.META.get("REMOTE_ADDR"), request.META.get("HTTP_USER_AGENT", "")[:300]


def _log(request, username, user, success, reason=""):
    ip, agent = _client(request)
    LoginLog.objects.create(
        username=username[:150], user=user, success=success, reason=reason, ip=ip, user_agent=agent,
        region_code=user.region_id if user and user.region_id else "",
    )


def authenticate_with_lockout(request, username: str, password: str) -> User:
    """Check a password; FUPIN_LOGIN_MAX_FAILURES consecutive failures lock the account for a while.

    Every attempt is written to the login log. Raises LoginRefused with a Chinese reason.
    """
    user = User.objects.filter(username=username).first()
    if user is not None and user.is_locked():
        _log(request, username, user, False, "账号已锁定")
        minutes = max(1, int((user.locked_until - timezone.now()).total_seconds() // 60) + 1)
        raise LoginRefused(f"登录失败次数过多，账号已锁定，请约{minutes}分钟后再试或联系管理员解锁")
    authenticated = authenticate(request, username=username, password=password)
    if authenticated is None:
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= settings.FUPIN_LOGIN_MAX_FAILURES:
                user.locked_until = timezone.now() + dt.timedelta(minutes=settings.FUPIN_LOCKOUT_MINUTES)
                user.failed_logins = 0
            user.save(update_fields=["failed_logins", "locked_until"])
        _log(request, username, user, False, "用户名或密码错误" if user is None or user.is_active else "账号已停用")
        raise LoginRefused("用户名或密码错误")
    if authenticated.failed_logins or authenticated.locked_until:
        authenticated.failed_logins = 0
        authenticated.locked_until = None
        authenticated.save(update_fields=["failed_logins", "locked_until"])
    _log(request, username, authenticated, True)
    return authenticated


def unlock(user: User, *, acting_user, channel) -> None:
    ensure_can_manage(acting_user, user.region)
    before = snapshot(user)
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["failed_logins", "locked_until"])
    record_change(user, before=before, acting_user=acting_user, channel=channel, region_code=user.region_id or "")


def ensure_can_manage(acting_user, region) -> None:
    """Administrators manage accounts only inside their own subtree.

    ``acting_user=None`` is the operator of the server itself (the CLI), who may manage any account.
    """
    if acting_user is None:
        return
    if not acting_user.can_administer:
        raise PermissionDenied("只有系统管理员可以管理用户")
    if region is None:
        if not acting_user.is_superuser:
            raise PermissionDenied("只有超级管理员可以创建不绑定区划的账号")
    elif not in_scope(acting_user, region.code):
        raise PermissionDenied("只能管理本辖区内的用户")


def _validate_user(user: User) -> None:
    errors = {}
    if user.region_id is None and not user.is_superuser:
        errors["region"] = "请选择账号所属区划"
    required_level = ROLE_LEVEL.get(user.role)
    if user.region_id and required_level and user.region.level != required_level:
        errors["region"] = f"{Role(user.role).label}账号必须绑定到{Level(required_level).label}级区划"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_user(user: User, password: str, *, acting_user, channel) -> User:
    ensure_can_manage(acting_user, user.region)
    if user.is_superuser and acting_user is not None and not acting_user.is_superuser:
        raise PermissionDenied("不能创建超级管理员")
    _validate_user(user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.full_clean(exclude=["password"])
    user.save()
    record_change(user, before=None, acting_user=acting_user, channel=channel, region_code=user.region_id or "")
    return user


@transaction.atomic
def update_user(user: User, *, acting_user, channel, password: str | None = None) -> User:
    original = User.objects.get(pk=user.pk)
    ensure_can_manage(acting_user, original.region)
    ensure_can_manage(acting_user, user.region)
    if user.is_superuser and not original.is_superuser and not acting_user.is_superuser:
        raise PermissionDenied("不能授予超级管理员权限")
    _validate_user(user)
    before = snapshot(original)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
        user.password_changed_at = timezone.now()
    user.save()
    record_change(user, before=before, acting_user=acting_user, channel=channel, region_code=user.region_id or "")
    return user


def issue_token(user: User, name: str, *, channel) -> tuple[ApiToken, str]:
    """A new API token for the user; returns the row and the key, which is not stored and cannot be shown again."""
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(user=user, key_hash=ApiToken.digest(key), prefix=key[:8], name=name[:100])
    record_change(token, before=None, acting_user=user, channel=channel, region_code=user.region_id or "")
    return token, key


def revoke_token(user: User, token_id: int, *, channel) -> bool:
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        return False
    record_change(token, before=snapshot(token), acting_user=user, channel=channel, action=Action.DELETE,
                  region_code=user.region_id or "")
    token.delete()
    return True


def token_owner(key: str) -> ApiToken | None:
    """The token row for a presented key, with its user; None for unknown keys."""
    return ApiToken.objects.select_related("user__region").filter(key_hash=ApiToken.digest(key)).first()
