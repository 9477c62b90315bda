"""Account actions: login under throttles with the login log, the TOTP second factor, passwords, API tokens, and
creating and changing users within the administrator's scope (三员分立: see docs/identity.md)."""

import datetime as dt
import hmac
import ipaddress

import pyotp
import segno
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from fupin.audit.models import Action
from fupin.audit.services import record_change, snapshot
from fupin.core.scope import in_scope
from fupin.core.throttle import client_ip
from fupin.regions.models import Level

from .models import OPERATOR_ROLES, ROLE_LEVEL, ApiToken, LoginLog, Role, User

# One answer for an unknown user, a wrong password, a disabled account and a throttled one: the login page must not
# tell an attacker which accounts exist or that a guess was right but blocked.
LOGIN_FAILED = "用户名或密码错误。连续多次失败后将暂时禁止登录，请稍后再试或联系安全管理员。"
OTP_FAILED = "动态口令错误或已使用，请输入验证器上的最新6位数字"


class LoginRefused(Exception):
    """Login failed; the message is shown to the user as is."""


# --- login ------------------------------------------------------------------------------------------------------


def _client(request):
    """(IP, user agent); the IP behind our own reverse proxies is the visitor's (FUPIN_TRUSTED_PROXIES), so the
    throttles never count every visitor as the proxy."""
    if request is None:
        return None, ""
    try:
        ip = str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        ip = None
    return ip, request.META.get("HTTP_USER_AGENT", "")[:300]


def _log(request, username, user, success, reason=""):
    ip, agent = _client(request)
    LoginLog.objects.create(
        username=username[:150], user=user, success=success, reason=reason, ip=ip, user_agent=agent,
        region_code=user.region_id if user and user.region_id else "",
    )


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.FUPIN_LOCKOUT_MINUTES)


def _throttled(username: str, ip, user: User | None) -> str:
    """Why a login from this IP to this account is refused now ("" when it is not).

    Failures count per (account, IP) since the later of: the window start, this pair's last success, the security
    administrator's unlock. Failures from other IPs never count, so an attacker locks only himself out.
    """
    start = _window_start()
    failures = LoginLog.objects.filter(success=False, time__gte=start, ip=ip)
    if ip and failures.count() >= settings.FUPIN_LOGIN_MAX_FAILURES_PER_IP:
        return "本IP失败次数过多"
    pair = LoginLog.objects.filter(username=username, ip=ip, time__gte=start)
    since = pair.filter(success=True).aggregate(last=Max("time"))["last"] or start
    if user is not None and user.lockout_reset_at and user.lockout_reset_at > since:
        since = user.lockout_reset_at
    if pair.filter(success=False, time__gt=since).count() >= settings.FUPIN_LOGIN_MAX_FAILURES:
        return "已锁定（本IP连续失败）"
    return ""


def authenticate_with_lockout(request, username: str, password: str) -> User:
    """Check a password under the login throttles; every failure is written to the login log.

    The password is always hashed, even for unknown or throttled accounts, so the time taken tells nothing either.
    A success is logged here unless a second step follows (``verify_second_factor`` or ``record_login`` log it).
    Raises LoginRefused with LOGIN_FAILED.
    """
    authenticated = authenticate(request, username=username, password=password)
    user = authenticated or User.objects.filter(username=username).first()
    ip, _ = _client(request)
    refusal = _throttled(username, ip, user)
    if authenticated is None or refusal:
        if not refusal:
            refusal = "用户名不存在" if user is None else "账号已停用" if not user.is_active else "密码错误"
        _log(request, username, user, False, refusal)
        raise LoginRefused(LOGIN_FAILED)
    if not second_step_needed(authenticated):
        _log(request, username, authenticated, True)
    return authenticated


def second_step_needed(user: User) -> bool:
    """After the password: a TOTP code, or for an administrator without one, enrolment."""
    return user.totp_enabled or not totp_skippable(user)


def record_login(request, user: User) -> None:
    """A login that ended in an enrolment step rather than a code (its code was checked by ``enable_totp``)."""
    _log(request, user.username, user, True)


def locked_usernames(usernames) -> set[str]:
    """Which of these accounts are refused from at least one IP now (two queries for a whole page of accounts)."""
    usernames = list(usernames)
    rows = LoginLog.objects.filter(username__in=usernames, time__gte=_window_start()).order_by("time")
    resets = dict(User.objects.filter(username__in=usernames).values_list("username", "lockout_reset_at"))
    counts: dict[tuple, int] = {}
    for username, ip, success, time in rows.values_list("username", "ip", "success", "time"):
        reset = resets.get(username)
        if success or (reset and time <= reset):
            counts[username, ip] = 0
        else:
            counts[username, ip] = counts.get((username, ip), 0) + 1
    return {username for (username, _), n in counts.items() if n >= settings.FUPIN_LOGIN_MAX_FAILURES}


def unlock(user: User, *, acting_user, channel) -> None:
    """Forget the account's recent login failures, from every IP."""
    ensure_can_secure(acting_user, user.region)
    before = snapshot(user)
    user.lockout_reset_at = timezone.now()
    user.save(update_fields=["lockout_reset_at"])
    record_change(user, before=before, acting_user=acting_user, channel=channel, region_code=user.region_id or "",
                  note="解除登录锁定")


def pending_requirement(user: User) -> str:
    """What a signed-in user must do before anything else: "password" (change it) or ""."""
    if user.must_change_password or user.password_expired():
        return "password"
    return ""


def requirement_message(user: User) -> str:
    if user.must_change_password:
        return "须先修改初始密码：请登录网页，在“修改密码”中设置新密码后再使用"
    return f"密码已超过{settings.FUPIN_PASSWORD_MAX_AGE_DAYS}天未修改，请先登录网页修改密码后再使用"


# --- TOTP second factor -----------------------------------------------------------------------------------------


def totp_skippable(user: User) -> bool:
    """An administrator may work without a second factor only in demo mode."""
    return not user.totp_required or settings.FUPIN_DEMO_MODE


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_qr_svg(user: User, secret: str) -> str:
    """The enrolment QR code as inline SVG: drawn here, no image service involved."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=settings.FUPIN_TOTP_ISSUER)
    return segno.make(uri, error="m").svg_inline(scale=4, border=2)


def _matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step whose code this is (±1 step of clock drift), if not used before."""
    code = (code or "").strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(timezone.now())
    for step in (now, now - 1, now + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@transaction.atomic
def enable_totp(user: User, secret: str, code: str, *, channel) -> None:
    """Bind an authenticator after the user proves it works with one code."""
    step = _matching_step(secret, code, None)
    if step is None:
        raise ValidationError({"code": "动态口令不正确：请确认手机时间准确，并输入验证器上的最新6位数字"})
    before = snapshot(user)
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, timezone.now(), step
    user.save(update_fields=["totp_secret", "totp_enabled_at", "totp_last_step"])
    record_change(user, before=before, acting_user=user, channel=channel, region_code=user.region_id or "",
                  note="启用动态口令")


def verify_second_factor(request, user: User, code: str) -> None:
    """The code step of a login, under the same throttles as the password; raises LoginRefused."""
    ip, _ = _client(request)
    refusal = _throttled(user.username, ip, user)
    step = None if refusal else _matching_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        _log(request, user.username, user, False, refusal or "动态口令错误")
        raise LoginRefused(OTP_FAILED)
    User.objects.filter(pk=user.pk).update(totp_last_step=step)
    user.totp_last_step = step
    _log(request, user.username, user, True)


@transaction.atomic
def disable_totp(user: User, *, acting_user, channel) -> None:
    """Unbind the authenticator: by the user himself (only where it is optional) or by the security administrator
    (a lost phone; an administrator then enrols again at his next login)."""
    if acting_user is not None and acting_user.pk == user.pk:
        if user.totp_required:
            raise PermissionDenied("管理员账号必须使用动态口令；更换手机请联系安全管理员重置")
    else:
        ensure_can_secure(acting_user, user.region)
    before = snapshot(user)
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = "", None, None
    user.save(update_fields=["totp_secret", "totp_enabled_at", "totp_last_step"])
    record_change(user, before=before, acting_user=acting_user, channel=channel, region_code=user.region_id or "",
                  note="重置动态口令")


# --- managing accounts ------------------------------------------------------------------------------------------


def _ensure_in_scope(acting_user, region) -> None:
    if region is None:
        if not acting_user.is_superuser:
            raise PermissionDenied("只有超级管理员可以管理不绑定区划的账号")
    elif not in_scope(acting_user, region.code):
        raise PermissionDenied("只能管理本辖区内的用户")


def ensure_can_manage(acting_user, region) -> None:
    """System administrators manage accounts only inside their own subtree.

    ``acting_user=None`` is the operator of the server itself (the CLI), who may manage any account.
    """
    if acting_user is None:
        return
    if not acting_user.can_administer:
        raise PermissionDenied("只有系统管理员可以管理用户")
    _ensure_in_scope(acting_user, region)


def ensure_can_secure(acting_user, region) -> None:
    """Security administrators unlock accounts, reset second factors and revoke tokens inside their subtree."""
    if acting_user is None:
        return
    if not acting_user.can_manage_security:
        raise PermissionDenied("只有安全管理员可以执行此操作")
    if region is not None and not in_scope(acting_user, region.code):
        raise PermissionDenied("只能管理本辖区内的用户")


def _validate_user(user: User) -> None:
    errors = {}
    if user.region_id is None and not user.is_superuser:
        errors["region"] = "请选择账号所属区划"
    required_level = ROLE_LEVEL.get(user.role)
    if user.region_id and required_level and user.region.level != required_level:
        errors["region"] = f"{Role(user.role).label}账号必须绑定到{Level(required_level).label}级区划"
    if user.is_superuser and user.role != Role.ADMIN:
        errors["role"] = "超级管理员只能是系统管理员角色（三员分立：一个账号只担任一种管理角色）"
    if errors:
        raise ValidationError(errors)


def _check_roles(original: User | None, user: User, acting_user) -> None:
    """三员分立 for changes made in the application (the command line operator is not bound)."""
    if acting_user is None:
        return
    roles = {user.role} | ({original.role} if original else set())
    if roles & OPERATOR_ROLES:
        raise PermissionDenied("安全管理员和审计管理员账号只能由服务器运维人员创建和修改")
    if original and original.pk == acting_user.pk and (
        original.role != user.role or original.is_superuser != user.is_superuser
    ):
        raise PermissionDenied("不能修改自己的角色")
    if user.is_superuser and not (original and original.is_superuser) and not acting_user.is_superuser:
        raise PermissionDenied("不能授予超级管理员权限")


def _set_password(user: User, password: str, *, acting_user) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.password_changed_at = timezone.now()
    # A password someone else chose is known to him: its owner changes it at the first login.
    user.must_change_password = acting_user is not None and acting_user.pk != user.pk


@transaction.atomic
def create_user(user: User, password: str, *, acting_user, channel) -> User:
    ensure_can_manage(acting_user, user.region)
    _check_roles(None, user, acting_user)
    _validate_user(user)
    _set_password(user, password, acting_user=acting_user)
    user.full_clean(exclude=["password"])
    user.save()
    record_change(user, before=None, acting_user=acting_user, channel=channel, region_code=user.region_id or "")
    return user


@transaction.atomic
def update_user(user: User, *, acting_user, channel, password: str | None = None) -> User:
    original = User.objects.get(pk=user.pk)
    ensure_can_manage(acting_user, original.region)
    ensure_can_manage(acting_user, user.region)
    _check_roles(original, user, acting_user)
    _validate_user(user)
    before = snapshot(original)
    if password:
        _set_password(user, password, acting_user=acting_user)
    user.save()
    record_change(user, before=before, acting_user=acting_user, channel=channel, region_code=user.region_id or "")
    if password:
        _revoke_all(user, acting_user=acting_user, channel=channel, note="密码已重置，令牌作废")
    return user


@transaction.atomic
def change_own_password(user: User, password: str, *, channel) -> None:
    """The user's own new password (the page has checked the old one); all his API tokens are revoked."""
    if user.check_password(password):
        raise ValidationError({"new_password1": "新密码不能与原密码相同"})
    before = snapshot(user)
    _set_password(user, password, acting_user=user)
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    record_change(user, before=before, acting_user=user, channel=channel, region_code=user.region_id or "",
                  note="修改密码")
    _revoke_all(user, acting_user=user, channel=channel, note="密码已修改，令牌作废")


# --- API tokens -------------------------------------------------------------------------------------------------


def live_tokens(user: User):
    return ApiToken.objects.filter(user=user, created__gt=timezone.now() - ApiToken.lifetime())


def issue_token(user: User, name: str, *, channel) -> tuple[ApiToken, str]:
    """A new API token for the user; returns the row and the key, which is not stored and cannot be shown again.

    Past FUPIN_API_TOKENS_PER_USER live tokens a new one is refused (ValidationError).
    """
    limit = settings.FUPIN_API_TOKENS_PER_USER
    if live_tokens(user).count() >= limit:
        raise ValidationError(f"每个账号最多同时持有{limit}个有效令牌，请先作废不再使用的令牌")
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(user=user, key_hash=ApiToken.digest(key), prefix=key[:8], name=name[:100])
    record_change(token, before=None, acting_user=user, channel=channel, region_code=user.region_id or "")
    return token, key


def _delete_token(token: ApiToken, *, acting_user, channel, note="") -> None:
    record_change(token, before=snapshot(token), acting_user=acting_user, channel=channel, action=Action.DELETE,
                  region_code=token.user.region_id or "", note=note)
    token.delete()


def revoke_token(user: User, token_id: int, *, channel) -> bool:
    token = ApiToken.objects.filter(user=user, pk=token_id).select_related("user").first()
    if token is None:
        return False
    _delete_token(token, acting_user=user, channel=channel)
    return True


def _revoke_all(user: User, *, acting_user, channel, note) -> int:
    tokens = list(ApiToken.objects.filter(user=user).select_related("user"))
    for token in tokens:
        _delete_token(token, acting_user=acting_user, channel=channel, note=note)
    return len(tokens)


@transaction.atomic
def revoke_user_tokens(user: User, *, acting_user, channel) -> int:
    """The security administrator revokes every API token of an account (a leaked key, a departing clerk)."""
    ensure_can_secure(acting_user, user.region)
    return _revoke_all(user, acting_user=acting_user, channel=channel, note="安全管理员作废全部令牌")


def token_owner(key: str) -> ApiToken | None:
    """The token row for a presented key, with its user; None for unknown keys."""
    return ApiToken.objects.select_related("user__region").filter(key_hash=ApiToken.digest(key)).first()

