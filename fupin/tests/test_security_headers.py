"""Browser-side protections on every page (fupin/core/middleware.py): a CSP that runs only our own script files, and
no caching of anything an account sees. Walks every page route of the sweep's world as a county account."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from fupin.core.middleware import SecurityHeadersMiddleware

from .test_scope_sweep import api_client, fillings, page_client, page_routes

# Script types a browser does not run: json_script's data blocks.
DATA_SCRIPT_TYPES = ("application/json",)
CSP_DIRECTIVES = {
    "default-src": {"'self'"}, "script-src": {"'self'"}, "object-src": {"'none'"}, "frame-ancestors": {"'none'"},
    "base-uri": {"'self'"}, "form-action": {"'self'"}, "img-src": {"'self'", "data:", "blob:"},
}


class InlineCode(HTMLParser):
    """Collects whatever would run as inline code under a CSP without 'unsafe-inline'."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "script" and not attrs.get("src") and attrs.get("type") not in DATA_SCRIPT_TYPES:
            self.found.append("<script> 无 src")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def csp_of(response) -> dict[str, set[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def test_the_parser_sees_inline_code():
    assert inline_code('<script>alert(1)</script><a href="JavaScript:x()">') == [
        "<script> 无 src", "<a href=JavaScript:x()>"]
    assert inline_code('<button onclick="x()" hx-on:click="y()">') == ["<button onclick=…>", "<button hx-on:click=…>"]
    assert inline_code('<script src="/static/a.js"></script><script type="application/json">{}</script>') == []


def test_every_page_of_a_county_account_runs_only_script_files(world, db):
    user = world["accounts"]["home"]["county"]
    client = page_client(user)
    urls = ["/api/docs"]
    for route, name, params in page_routes():
        if not name or route == "healthz":
            continue
        try:
            fills = fillings(world, "home", route) if params else [{}]
        except LookupError:  # a route the sweep has not mapped yet: its own test_every_route_is_mapped says so
            continue
        for kwargs in fills[:1]:
            urls.append(reverse(name, kwargs=kwargs))
    holes, html_pages = [], 0
    for url in urls:
        response = client.get(url)
        if "no-store" not in response.get("Cache-Control", "") or response.get("Pragma") != "no-cache":
            holes.append(f"GET {url} → {response.status_code} 可被缓存：{response.get('Cache-Control')}")
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html_pages += 1
        directives = csp_of(response)
        for name, values in CSP_DIRECTIVES.items():
            if directives.get(name) != values:
                holes.append(f"GET {url}：CSP {name} = {directives.get(name)}")
        holes += [f"GET {url}：{found}" for found in inline_code(response.content.decode())]
    assert html_pages > 40
    assert not holes, "\n".join(holes)


def test_api_answers_to_a_token_are_not_cached(world, db):
    response = api_client(world["accounts"]["home"]["village"]).get("/api/households")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and response["Pragma"] == "no-cache"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_public_pages_carry_the_headers_but_may_be_cached(db):
    response = Client().get(reverse("public_monitoring:report"))
    assert response.status_code == 200
    assert "script-src 'self';" in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "geolocation=(self)" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("content_type, disposition", [
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 'attachment; filename="a.xlsx"'),
    ("text/csv; charset=utf-8", ""),
    ("application/pdf", 'inline; filename="a.pdf"'),
    ("application/octet-stream", 'attachment; filename="a.bin"'),
])
def test_downloads_are_never_stored_even_for_anonymous_visitors(content_type, disposition):
    request = RequestFactory().get("/public/notices/1/pdf/")
    request.user = AnonymousUser()

    def view(_request):
        response = HttpResponse(b"x", content_type=content_type)
        if disposition:
            response["Content-Disposition"] = disposition
        return response

    response = SecurityHeadersMiddleware(view)(request)
    assert "no-store" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"
    assert "Content-Security-Policy" not in response


def test_static_assets_stay_cacheable_for_a_logged_in_user(world, db):
    client = page_client(world["accounts"]["home"]["county"])
    response = client.get("/static/fupin/fupin.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
