"""Every view that follows a return-to target (``next=``, the Referer) stays on this site (fupin/core/redirects.py)."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from fupin.core.redirects import safe_next

from .test_scope_sweep import page_client

EVIL = ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", " //evil.example",
        "http:/\\evil.example", "https:evil.example"]


def assert_stays_here(response, expected):
    assert response.status_code == 302
    assert response["Location"] == expected


def test_safe_next_keeps_paths_of_this_site_and_refuses_the_rest():
    plain = RequestFactory().get("/")
    assert safe_next(plain, "/registry/households/?q=1") == "/registry/households/?q=1"
    assert safe_next(plain, "http://testserver/registry/") == "http://testserver/registry/"
    assert safe_next(plain, None) == ""
    for target in EVIL:
        assert safe_next(plain, target) == "", target
    secure = RequestFactory().get("/", secure=True)
    assert safe_next(secure, "http://testserver/registry/") == ""  # no step down from https
    assert safe_next(secure, "https://testserver/registry/") == "https://testserver/registry/"


@pytest.mark.parametrize("target", EVIL)
def test_login(world, db, target):
    user = world["accounts"]["home"]["village"]
    response = Client().post(f"{reverse('accounts:login')}?next={target}",
                             {"username": user.username, "password": PASSWORD, "next": target})
    assert response.status_code == 302 and "evil" not in response["Location"]
    assert not response["Location"].startswith(("//", "/\\", "javascript", "http"))


def test_login_follows_a_path_of_this_site(world, db):
    user = world["accounts"]["home"]["village"]
    response = Client().post(reverse("accounts:login"),
                             {"username": user.username, "password": PASSWORD, "next": "/monitoring/alerts/"})
    assert_stays_here(response, "/monitoring/alerts/")


@pytest.mark.parametrize("target", EVIL)
def test_logout(world, db, target):
    client = page_client(world["accounts"]["home"]["village"])
    assert_stays_here(client.post(f"{reverse('accounts:logout')}?next={target}"), reverse("accounts:login"))


@pytest.mark.parametrize("target", [*EVIL, "/registry/"])
def test_risk_event_return_link(world, db, target):
    client = page_client(world["accounts"]["home"]["village"])
    household = world["objects"]["home"]["household"]
    response = client.post(reverse("monitoring:event_create", args=[household.pk]) + f"?next={target}", {
        "kind": "illness", "date": timezone.localdate(), "member_name": household.head_name,
        "amount": "30000", "description": "住院", "source": "cadre"})
    assert_stays_here(response, "/registry/" if target == "/registry/" else reverse("monitoring:alert_list"))


@pytest.mark.parametrize("target", EVIL)
def test_adjustment_candidates_return_link(world, db, target):
    client = page_client(world["accounts"]["county"]["county"])
    adjustment = world["objects"]["county"]["adjustment"]
    response = client.post(reverse("procedures:candidates_decide", args=[adjustment.pk]), {"next": target})
    assert_stays_here(response, reverse("procedures:adjustment_detail", args=[adjustment.pk]))


@pytest.mark.parametrize("target", EVIL)
def test_export_back_link_ignores_a_foreign_referer(world, db, target):
    client = page_client(world["accounts"]["home"]["county"])
    response = client.get(reverse("registry:household_export"), HTTP_REFERER=target)
    assert response.status_code == 200 and "返回" not in response.content.decode().split("</nav>")[-1]
    assert "evil" not in response.content.decode()
    same_site = client.get(reverse("registry:household_export"), HTTP_REFERER="http://testserver/registry/")
    assert 'href="http://testserver/registry/">返回' in same_site.content.decode()
