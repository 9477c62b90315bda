import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from fupin.core.channels import Channel
from fupin.core.redirects import safe_next

from . import services
from .filters import filter_login_logs, filter_users
from .forms import LoginForm, OtpForm, UserForm
from .models import ApiToken, LoginLog, User

# A password step waits this long for its code or enrolment before the login starts over.
PENDING_SECONDS = 300


def _finish_login(request, user, target):
    request.session.pop("pending_login", None)
    request.session.pop("totp_secret", None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if user.totp_required and not user.totp_enabled:
        messages.warning(request, "演示模式：本管理员账号未绑定动态口令。正式使用时管理员必须绑定动态口令。")
    return redirect(target or "home")


def _pending_user(request):
    """The account that passed the password step in this browser and still owes a code or an enrolment."""
    pending = request.session.get("pending_login")
    if not pending or time.time() - pending["time"] > PENDING_SECONDS:
        return None, ""
    return User.objects.filter(pk=pending["user"], is_active=True).first(), pending["next"]


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.authenticate_with_lockout(
                request, form.cleaned_data["username"], form.cleaned_data["password"]
            )
        except services.LoginRefused as exc:
            form.add_error(None, str(exc))
        else:
            target = safe_next(request, request.POST.get("next") or request.GET.get("next"))
            if services.second_step_needed(user):
                request.session.cycle_key()
                request.session["pending_login"] = {"user": user.pk, "time": time.time(), "next": target}
                return redirect("accounts:login_otp" if user.totp_enabled else "accounts:login_totp_setup")
            return _finish_login(request, user, target)
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


def login_otp(request):
    """The second step of a login with TOTP: the 6-digit code."""
    user, target = _pending_user(request)
    if user is None or not user.totp_enabled:
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_second_factor(request, user, form.cleaned_data["code"])
        except services.LoginRefused as exc:
            form.add_error("code", str(exc))
        else:
            return _finish_login(request, user, target)
    return render(request, "accounts/login_otp.html", {"form": form, "account": user})


def totp_setup(request):
    """Bind an authenticator: forced for an administrator between password and session, optional for others from
    the account security page. The secret is shown once, as text and QR code, and kept only in the session until a
    code proves it."""
    pending = not request.user.is_authenticated
    user, target = _pending_user(request) if pending else (request.user, "")
    if user is None:
        return redirect("accounts:login")
    if user.totp_enabled:
        return redirect("accounts:security" if not pending else "accounts:login_otp")
    secret = request.session.get("totp_secret") or services.new_totp_secret()
    request.session["totp_secret"] = secret
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enable_totp(user, secret, form.cleaned_data["code"], channel=Channel.PAGE)
        except ValidationError as exc:
            form.add_error("code", exc.message_dict["code"])
        else:
            if pending:
                services.record_login(request, user)
                return _finish_login(request, user, target)
            request.session.pop("totp_secret", None)
            messages.success(request, "动态口令已启用，今后登录须输入验证器上的6位数字")
            return redirect("accounts:security")
    return render(request, "accounts/totp_setup.html", {
        "form": form, "account": user, "secret": secret, "qr_svg": services.totp_qr_svg(user, secret),
        "pending": pending,
    })


def security(request):
    """账号安全: the second factor, the password and the API tokens of one's own account."""
    if request.method == "POST" and "disable_totp" in request.POST:
        try:
            services.disable_totp(request.user, acting_user=request.user, channel=Channel.PAGE)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "动态口令已停用")
        return redirect("accounts:security")
    return render(request, "accounts/security.html", {
        "token_count": services.live_tokens(request.user).count(),
        "password_age_days": settings.FUPIN_PASSWORD_MAX_AGE_DAYS,
    })


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        try:
            services.change_own_password(self.request.user, form.cleaned_data["new_password1"], channel=Channel.PAGE)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, "密码已修改；本账号原有的 API 令牌已全部作废")
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(must_change=user.must_change_password, expired=user.password_expired(),
                       max_age_days=settings.FUPIN_PASSWORD_MAX_AGE_DAYS)
        return context


def _require_admin(user):
    if not user.can_administer:
        raise PermissionDenied("只有系统管理员可以管理用户")


def _require_security(user):
    if not user.can_manage_security:
        raise PermissionDenied("只有安全管理员可以执行此操作")


def user_list(request):
    """Accounts of the subtree: the system administrator edits them, the security administrator unlocks them,
    resets second factors and revokes tokens."""
    if not (request.user.can_administer or request.user.can_manage_security):
        raise PermissionDenied("只有系统管理员或安全管理员可以查看用户")
    users = filter_users(User.objects.visible_to(request.user).select_related("region"), request.GET)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    locked = services.locked_usernames(u.username for u in page)
    for u in page:
        u.locked = u.username in locked
    return render(request, "accounts/user_list.html", {"page": page, "roles": User._meta.get_field("role").choices})


def user_edit(request, pk=None):
    _require_admin(request.user)
    instance = get_object_or_404(User.objects.visible_to(request.user), pk=pk) if pk else User()
    form = UserForm(request.POST or None, instance=instance, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        password = form.cleaned_data["password"]
        try:
            if pk:
                services.update_user(user, acting_user=request.user, channel=Channel.PAGE, password=password)
            else:
                services.create_user(user, password, acting_user=request.user, channel=Channel.PAGE)
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"用户 {user.username} 已保存")
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "object": instance})


# The security administrator's actions on one account: (service, message).
SECURITY_ACTIONS = {
    "unlock": (services.unlock, "已解除登录锁定"),
    "reset_totp": (services.disable_totp, "动态口令已重置，下次登录须重新绑定"),
    "revoke_tokens": (services.revoke_user_tokens, "API 令牌已全部作废"),
}


@require_POST
def user_security(request, pk, action):
    _require_security(request.user)
    user = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    if action not in SECURITY_ACTIONS:
        raise Http404
    service, message = SECURITY_ACTIONS[action]
    service(user, acting_user=request.user, channel=Channel.PAGE)
    messages.success(request, f"用户 {user.username}：{message}")
    return redirect("accounts:user_list")


def login_log(request):
    if not (request.user.can_manage_security or request.user.can_read_audit):
        raise PermissionDenied("只有安全管理员和审计管理员可以查看登录日志")
    logs = filter_login_logs(LoginLog.objects.visible_to(request.user), request.GET)
    page = Paginator(logs, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/login_log.html", {"page": page})


def password_policy(request):
    """The password and login policy in force, for the security administrator to check against 等保 requirements."""
    _require_security(request.user)
    return render(request, "accounts/policy.html", {
        "rules": password_validators_help_texts(),
        "settings": [
            ("连续登录失败锁定（同一账号、同一IP）", f"{settings.FUPIN_LOGIN_MAX_FAILURES} 次"),
            ("同一IP登录失败上限（所有账号合计）", f"{settings.FUPIN_LOGIN_MAX_FAILURES_PER_IP} 次"),
            ("锁定时长（统计时段）", f"{settings.FUPIN_LOCKOUT_MINUTES} 分钟"),
            ("密码有效期", f"{settings.FUPIN_PASSWORD_MAX_AGE_DAYS} 天" if settings.FUPIN_PASSWORD_MAX_AGE_DAYS else "不过期"),
            ("API 令牌有效期", f"{settings.FUPIN_API_TOKEN_DAYS} 天"),
            ("每个账号有效令牌上限", f"{settings.FUPIN_API_TOKENS_PER_USER} 个"),
            ("管理员动态口令", "演示模式下可不绑定" if settings.FUPIN_DEMO_MODE else "必须绑定"),
            ("会话空闲超时", f"{settings.SESSION_COOKIE_AGE // 60} 分钟"),
        ],
    })


def tokens(request):
    """The user's own API tokens; a new key is shown once."""
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            services.revoke_token(request.user, int(request.POST["revoke"]), channel=Channel.PAGE)
            messages.success(request, "令牌已作废")
            return redirect("accounts:tokens")
        try:
            _, new_key = services.issue_token(request.user, request.POST.get("name", ""), channel=Channel.PAGE)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return render(request, "accounts/tokens.html", {
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created"), "new_key": new_key,
        "days": settings.FUPIN_API_TOKEN_DAYS, "limit": settings.FUPIN_API_TOKENS_PER_USER,
    })
