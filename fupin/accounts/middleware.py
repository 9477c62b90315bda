from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect

from .services import pending_requirement, requirement_message

# Paths served without a login: the login page itself, static files, the API (token auth of its own), public pages.
PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/api/", "/public/", "/healthz")
# Paths a signed-in user whose password must change can still reach.
PASSWORD_CHANGE_PATHS = ("/accounts/password/", "/accounts/logout/", "/static/")


class LoginRequiredMiddleware:
    """Every page needs a login, except the few public ones; sessions expire after SESSION_COOKIE_AGE idle.

    A signed-in user whose password is the initial one or has expired (FUPIN_PASSWORD_MAX_AGE_DAYS) is sent to the
    password change page from every page; the API answers 403 to his session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            if not request.path.startswith(PUBLIC_PREFIXES):
                return redirect_to_login(request.get_full_path())
        elif pending_requirement(user) and not request.path.startswith(PASSWORD_CHANGE_PATHS):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": requirement_message(user)}, status=403)
            if not request.path.startswith(PUBLIC_PREFIXES):
                return redirect("accounts:password_change")
        return self.get_response(request)
