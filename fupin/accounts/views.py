from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fupin.audit.models import Channel

from . import services
from .filters import filter_login_logs, filter_users
from .forms import LoginForm, UserForm
from .models import ApiToken, LoginLog, User


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
            login(request, user)
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = ""
            return redirect(target or "home")
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("registry:household_list")

    def form_valid(self, form):
        response = super().form_valid(form)
        from django.utils import timezone

        User.objects.filter(pk=self.request.user.pk).update(password_changed_at=timezone.now())
        messages.success(self.request, "密码已修改")
        return response


def _require_admin(user):
    if not user.can_administer:
        raise PermissionDenied("只有系统管理员可以管理用户")


def user_list(request):
    _require_admin(request.user)
    users = filter_users(User.objects.visible_to(request.user).select_related("region"), request.GET)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
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


@require_POST
def user_unlock(request, pk):
    user = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    services.unlock(user, acting_user=request.user, channel=Channel.PAGE)
    messages.success(request, f"用户 {user.username} 已解锁")
    return redirect("accounts:user_list")


def login_log(request):
    _require_admin(request.user)
    logs = filter_login_logs(LoginLog.objects.visible_to(request.user), request.GET)
    page = Paginator(logs, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/login_log.html", {"page": page})


def tokens(request):
    """The user's own API tokens; a new key is shown once."""
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            services.revoke_token(request.user, int(request.POST["revoke"]), channel=Channel.PAGE)
            messages.success(request, "令牌已作废")
            return redirect("accounts:tokens")
        _, new_key = services.issue_token(request.user, request.POST.get("name", ""), channel=Channel.PAGE)
    return render(
        request, "accounts/tokens.html", {"tokens": ApiToken.objects.filter(user=request.user), "new_key": new_key}
    )
