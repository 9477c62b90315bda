"""Departments and the security and audit administrators are refused every page and API route of monitoring,
procedures and assistance (registry/access.py); county accounts keep them. Routes are read from the URL resolver
and the OpenAPI document, so new ones are covered without editing this test."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from conftest import PASSWORD
from fupin.accounts.models import Role, User

APPS = ("monitoring", "procedures", "assistance")
API_TAGS = {"防返贫监测", "帮扶", "程序", "公示公告", "扶贫标准", "程序流程配置", "年度动态调整"}
REFUSED = (Role.DEPARTMENT, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)


def _page_urls():
    urls = []
    for namespace in APPS:
        prefix, resolver = get_resolver().namespace_dict[namespace]
        for pattern in resolver.url_patterns:
            assert isinstance(pattern, URLPattern)
            kwargs = {name: ("1" if converter.regex == "[0-9]+" else "x")
                      for name, converter in pattern.pattern.converters.items()}
            urls.append(reverse(f"{namespace}:{pattern.name}", kwargs=kwargs))
    return urls


def _api_operations():
    from fupin.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if set(operation.get("tags", ())) & API_TAGS and operation.get("security"):
                yield method, re.sub(r"\{[^}]+\}", "1", path)


@pytest.fixture
def client_of(regions):
    def make(role, **extra):
        user = User.objects.create_user(f"u_{role}", password=PASSWORD, role=role, region=regions["county"],
                                        **extra)
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.mark.parametrize("role", REFUSED)
def test_refused_roles_get_403_on_every_page_and_api_route(client_of, role):
    client = client_of(role, department="医保" if role == Role.DEPARTMENT else "")
    pages = _page_urls()
    assert len(pages) > 50
    for url in pages:
        for method in ("get", "post"):
            assert getattr(client, method)(url).status_code == 403, (method, url)
    operations = list(_api_operations())
    assert len(operations) > 50
    for method, path in operations:
        response = client.generic(method.upper(), path, "{}", content_type="application/json")
        # 405: a documented operation shadowed by another path (issue 8 lists it); it reaches no view either.
        assert response.status_code in (403, 405), (method, path, response.content)


@pytest.mark.parametrize("role", (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN))
def test_comparison_is_refused_to_the_security_and_audit_administrators(client_of, role):
    client = client_of(role)
    prefix, resolver = get_resolver().namespace_dict["comparison"]
    for pattern in resolver.url_patterns:
        kwargs = {name: ("1" if converter.regex == "[0-9]+" else "x")
                  for name, converter in pattern.pattern.converters.items()}
        url = reverse(f"comparison:{pattern.name}", kwargs=kwargs)
        assert client.get(url).status_code == 403, url
    for path in ("/api/comparison/kinds", "/api/comparison/suspects", "/api/comparison/datasets"):
        assert client.get(path).status_code == 403, path


def test_a_department_sees_no_job_of_another_account(client_of, users):
    from fupin.jobs.models import Job

    job = Job.objects.create(kind="registry.export_households", title="县级户档案导出任务", user=users["county"],
                             region_code=users["county"].region_id)
    client = client_of(Role.DEPARTMENT, department="医保")
    assert "县级户档案导出任务" not in client.get(reverse("jobs:list")).content.decode()
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 403


def test_a_department_officer_who_is_a_helper_keeps_only_the_helper_pages(client_of, users, regions, make_household):
    from django.utils import timezone

    from fupin.assistance import services as assistance
    from fupin.assistance.models import Helper
    from fupin.core.channels import Channel

    household = make_household(regions["village_a1"])
    client = client_of(Role.DEPARTMENT, department="教育")
    officer = User.objects.get(username=f"u_{Role.DEPARTMENT}")
    helper = assistance.save_helper(Helper(name="王帮扶", unit="县教育局", region=regions["town_a"], user=officer),
                                    acting_user=users["town_a"], channel=Channel.PAGE)
    assistance.pair(helper, household, start=timezone.localdate(), acting_user=users["village_a1"],
                    channel=Channel.PAGE)
    assert household.head_name in client.get(reverse("assistance:my_households")).content.decode()
    assert client.get(reverse("assistance:visit_create", args=[household.pk])).status_code == 200
    assert [row["household"] for row in client.get("/api/assistance/mine").json()] == [household.pk]
    for url in (reverse("assistance:helper_list"), reverse("assistance:household", args=[household.pk]),
                "/api/assistance/helpers", f"/api/assistance/households/{household.pk}/pairings"):
        assert client.get(url).status_code == 403, url
    # Without a helper profile, even those are refused.
    assert client_of(Role.SECURITY_ADMIN).get(reverse("assistance:my_households")).status_code == 403


def test_public_routes_stay_open(client_of):
    client = client_of(Role.DEPARTMENT, department="医保")
    assert client.get("/api/notices/public").status_code == 200
    assert Client().get("/api/notices/public").status_code == 200


def test_county_accounts_keep_the_lists(client_of):
    client = client_of(Role.COUNTY)
    for name in ("monitoring:overview", "monitoring:alert_list", "monitoring:quality_list", "procedures:list",
                 "procedures:notice_list", "assistance:helper_list"):
        assert client.get(reverse(name)).status_code == 200, name
    for path in ("/api/monitoring/alerts", "/api/procedures", "/api/assistance/helpers"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", REFUSED)
def test_the_register_is_empty_to_departments_and_the_two_operator_administrators(
    client_of, role, regions, make_household
):
    make_household(regions["village_a1"])
    body = client_of(role, department="医保").get("/api/households").json()
    assert body["count"] == 0 and body["items"] == []
    assert client_of(Role.COUNTY).get("/api/households").json()["count"] == 1
