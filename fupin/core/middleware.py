"""Security headers on every response (等保 2.0 level 3: the browser side of access control and data leakage)."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers

# Scripts only from our own files: every template keeps its JavaScript under static/, none inline, so an injected
# <script> or on*="" attribute does not run. Style attributes stay allowed: templates size charts and boxes with
# them and ECharts writes its tooltips as HTML with style attributes; a style cannot run code. data:/blob: images
# are Swagger UI's icons and ECharts' "save as image".
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
])

# Visits record where the helper stood and may take photos; no page needs any other device feature.
PERMISSIONS_POLICY = "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()"

# Downloads carry personal data whoever asks for them (the public notice PDF lists households too).
DOWNLOAD_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
    "text/csv",
    "application/pdf",
    "application/zip",
)


def is_download(response) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type in DOWNLOAD_TYPES or response.get("Content-Disposition", "").startswith("attachment")


class SecurityHeadersMiddleware:
    """CSP on HTML, no caching of anything personal, no Referer leaking ids to other sites, no MIME sniffing.

    Sits inside WhiteNoise, so static assets (which must stay cacheable) never reach it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin: a link out of a household page must not tell the other site which household it was.
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # The API's token auth sets request.user during the view, so this also covers token clients.
        user = getattr(request, "user", None)
        if not request.path.startswith(f"/{settings.STATIC_URL.lstrip('/')}") and (
            (user is not None and user.is_authenticated) or is_download(response)
        ):
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"
        return response
