"""The API's OpenAPI document and its interactive docs page, which must work on an intranet without a CDN."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db

URL = re.compile(r"https?://")


def test_openapi_document_lists_the_endpoints():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "扶贫管理平台接口"
    paths = document["paths"]
    expected = {
        "/api/auth/token": {"post"},
        "/api/auth/tokens": {"get", "post"},
        "/api/auth/tokens/{token_id}": {"delete"},
        "/api/accounts/me": {"get"},
        "/api/accounts/users": {"get", "post"},
        "/api/accounts/users/{user_id}": {"get", "patch"},
        "/api/regions": {"get", "post"},
        "/api/regions/{code}": {"get", "patch"},
        "/api/regions/{code}/tree": {"get"},
        "/api/households": {"get", "post"},
        "/api/households/{household_id}": {"get", "patch", "delete"},
        "/api/households/{household_id}/history": {"get"},
        "/api/households/{household_id}/members": {"post"},
        "/api/households/{household_id}/income-accounts/{year}": {"put"},
        "/api/households/{household_id}/security-checks/{year}": {"put"},
        "/api/members": {"get"},
        "/api/members/{member_id}": {"get", "patch"},
        "/api/members/{member_id}/reveal": {"post"},
        "/api/members/{member_id}/remove": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths.get(path, {})), path
    # The household list documents the page filters and the pagination parameters.
    params = {p["name"] for p in paths["/api/households"]["get"]["parameters"]}
    assert {"q", "region", "status", "category", "cause", "year", "income_below", "page", "page_size"} <= params
    schemes = document["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    # Coded fields are documented with their label twin.
    household = document["components"]["schemas"]["HouseholdOut"]["properties"]
    assert {"status", "status_label", "category_label"} <= set(household)
    assert not URL.search(json.dumps(document))


def test_docs_page_loads_everything_locally():
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not URL.search(html), "the docs page must not reference any http(s) URL (no CDN on intranets)"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
    settings = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1))
    # Swagger UI otherwise posts the document to the public online validator.
    assert settings["validatorUrl"] is None
    assert settings["url"] == "/api/openapi.json"


def test_vendored_swagger_ui_is_complete():
    bundle = finders.find("vendor/swagger-ui/swagger-ui-bundle.js")
    css = finders.find("vendor/swagger-ui/swagger-ui.css")
    assert bundle and css and finders.find("vendor/swagger-ui/LICENSE")
    with open(bundle, encoding="utf-8") as f:
        assert "SwaggerUIBundle" in f.read()
    with open(css, encoding="utf-8") as f:
        assert not re.search(r"url\(\s*['\"]?https?:", f.read())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_docs_page_renders_offline_and_calls_the_api_with_the_session(page_as, live_server, users):
    page = page_as(users["county"])
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/docs")
    # Try the current-account endpoint from the page, as a county clerk exploring the API would.
    operation = page.locator("#operations-账号-fupin_accounts_api_me")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    body = operation.locator(".responses-wrapper .live-responses-table .microlight").first
    body.wait_for()
    assert '"username": "xian"' in body.inner_text()
    # Swagger UI renders only the operations near the view; a deep link brings a later one into it.
    page.goto(f"{live_server.url}/api/docs#/贫困户/fupin_registry_api_list_households")
    page.reload()  # the link is read when the page loads, not on a change of the fragment
    expect(page.locator("#operations-贫困户-fupin_registry_api_list_households")).to_contain_text("贫困户列表")
    assert all(url.startswith(live_server.url) for url in requested), [
        url for url in requested if not url.startswith(live_server.url)
    ]
