from django.contrib.auth.views import redirect_to_login

# Paths served without a login: the login page itself, static files, the API (token auth of its own), public pages.
PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/api/", "/public/", "/healthz")


class LoginRequiredMiddleware:
    """Every page needs a login, except the few public ones; sessions expire after SESSION_COOKIE_AGE idle."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
