"""Function permissions (功能权限): whether an account may use an app at all, as one predicate per app.

The data scope (``scope.py``) decides which rows an account sees; a predicate here decides whether an app's pages
and API routes open to it at all — a department account, for instance, handles no alerts, procedures or helpers.
The same predicate guards the app's URL patterns and its API routes, and the menu (``fupin/menu.py``) shows an entry
exactly when it holds, so no link leads to a refusal.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, URLResolver

DEFAULT_MESSAGE = "当前账号没有使用该功能的权限"


class AppAccess:
    """``allows(user, route)``: ``route`` is the URL name of the page or API operation asked for ("" for the app as
    a whole, as the menu asks), for apps that open a few routes to more accounts than the rest."""

    def __init__(self, allows: Callable, message: str = DEFAULT_MESSAGE):
        self._allows = allows
        self.message = message

    def allows(self, user, route: str = "") -> bool:
        """Anonymous visitors are left to the login requirement (pages) and the authentication (API)."""
        return user is None or not user.is_authenticated or self._allows(user, route)

    def check(self, user, route: str = "") -> None:
        if not self.allows(user, route):
            raise PermissionDenied(self.message)

    def _guard(self, view, user_of):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            self.check(user_of(request), _route(request))
            return view(request, *args, **kwargs)

        return guarded

    def guard_urls(self, urlpatterns: list) -> list:
        """Wrap every view of ``urlpatterns`` (and of included ones) so a refused account gets 403."""
        for pattern in urlpatterns:
            if isinstance(pattern, URLResolver):
                self.guard_urls(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                pattern.callback = self._guard(pattern.callback, lambda request: request.user)
        return urlpatterns

    def guard_auth(self, callbacks: list) -> list:
        """The API's authentication callbacks, each also refusing (403) an account this app refuses — before the
        request is validated, so a refused account learns nothing from validation messages either. Operations
        without authentication (``auth=None``, the public ones) stay open."""
        return [self._guarded_auth(callback) for callback in callbacks]

    def _guarded_auth(self, callback):
        access = self
        base = type(callback)

        class Guarded(base):
            def __call__(self, request):
                user = super().__call__(request)
                if user:
                    access.check(user, _route(request))
                return user

        # The OpenAPI document names the security scheme after the class.
        Guarded.__name__ = Guarded.__qualname__ = base.__name__
        guarded = copy.copy(callback)
        guarded.__class__ = Guarded
        return guarded


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.url_name or "") if match else ""
