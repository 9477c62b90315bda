"""Error pages with DEBUG off: Chinese, the right status, no traceback or URL list; the API keeps answering JSON."""

import pytest
from django.test import Client, RequestFactory

from conftest import PASSWORD
from fupin.core import errors
from fupin.jobs.models import Job

TECHNICAL = ("Traceback", "RuntimeError", "boom", "URLconf", "urlpatterns", "Django", "DEBUG")


@pytest.fixture
def site(settings, client, users):
    settings.ROOT_URLCONF = "fupin.core.tests.error_urls"
    settings.DEBUG = False
    client.raise_request_exception = False
    assert client.login(username="xian", password=PASSWORD)
    return client


def page(response, status, title):
    body = response.content.decode()
    assert response.status_code == status and title in body and 'data-testid="error-page"' in body
    assert not any(word in body for word in TECHNICAL), body
    return body


def test_unknown_url_is_a_chinese_404(site):
    page(site.get("/no/such/page/"), 404, "页面不存在")


def test_a_failing_view_is_a_chinese_500(site):
    page(site.get("/tests/explode/"), 500, "系统出错")


def test_permission_denied_shows_the_services_message(site, users):
    job = Job.objects.create(kind="tests.x", title="别人的任务", user=users["village_a1"])
    page(site.get(f"/jobs/{job.pk}/"), 403, "只能查看自己的任务")


def test_bad_host_is_a_chinese_400(site):
    page(site.get("/", HTTP_HOST="evil.example"), 400, "请求有误")


def test_csrf_failure_is_a_chinese_403(db):
    client = Client(enforce_csrf_checks=True)
    page(client.post("/accounts/login/", {"username": "x", "password": "y"}), 403, "页面已过期")


def test_api_errors_stay_json(site):
    for path, status in (("/api/no/such/route", 404), ("/api/tests/explode", 500)):
        response = site.get(path)
        assert (response.status_code, response["Content-Type"]) == (status, "application/json"), path
        assert response.json()["detail"] and "boom" not in response.json()["detail"]
    anonymous = Client().get("/api/households")  # the API's own handlers
    assert anonymous.status_code == 401 and anonymous["Content-Type"].startswith("application/json")


def test_500_page_renders_without_database_or_context_processors(settings):
    """No db fixture: any query would fail the test. A template that needs a context processor would fail too."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "OPTIONS": {**settings.TEMPLATES[0]["OPTIONS"],
                                                                "context_processors": ["no.such.processor"]}}]
    response = errors.server_error(RequestFactory().get("/registry/households/"))
    assert response.status_code == 500 and "系统出错" in response.content.decode()
