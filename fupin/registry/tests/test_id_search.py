"""Searching by ID number never puts the number in a URL: the list form is posted and the server redirects to an
opaque search key; name searches stay plain GET links; the API takes ID searches in a POST body."""

import io
import json
import re

import python_calamine
from django.urls import reverse

from conftest import new_id
from fupin.audit.models import AuditLog
from fupin.core.search import carries_id_number, mask_id_numbers


def test_carries_id_number():
    number = new_id()
    assert carries_id_number(number) and carries_id_number(f"张三 {number}")
    assert carries_id_number(number[:6] + number[8:17])  # an old 15-digit number
    assert carries_id_number(number[:17] + "x")
    assert not carries_id_number("张三") and not carries_id_number(number[-6:]) and not carries_id_number(number + "1")
    assert mask_id_numbers(f"q={number}") == f"q={number[:6]}********{number[-4:]}"


def test_posted_id_search_redirects_to_a_key_and_finds_the_household(client, users, regions, make_household):
    number = new_id()
    mine = make_household(regions["village_a1"], head_name="张找我", head_id=number)
    make_household(regions["village_a1"], head_name="李别人")
    client.force_login(users["village_a1"])
    for name in ("registry:household_list", "registry:member_list"):
        response = client.post(reverse(name), {"q": f" {number} ", "status": "", "active": "1"})
        assert response.status_code == 302 and number not in response.url and "s=" in response.url, name
        assert "status=" not in response.url  # blank filters are left out
        page = client.get(response.url).content.decode()
        assert "张找我" in page and "李别人" not in page, name
        assert 'method="post"' in page and 'name="csrfmiddlewaretoken"' in page
        # Links (pagination, export, the households) carry the key, never the number.
        links = re.findall(r'(?:href|action|hx-get)="([^"]*)"', page)
        assert any("s=" in link for link in links) and not any(number in link for link in links), name
    response = client.post(reverse("registry:household_list"), {"q": number})
    assert mine.number in client.get(response.url).content.decode()


def test_get_with_an_id_number_is_redirected_to_a_key(client, users, regions, make_household):
    number = new_id()
    make_household(regions["village_a1"], head_name="张找我", head_id=number)
    client.force_login(users["village_a1"])
    response = client.get(reverse("registry:member_list"), {"q": number, "active": "1"})
    assert response.status_code == 302 and number not in response.url and "active=1" in response.url
    assert "张找我" in client.get(response.url).content.decode()


def test_name_search_stays_a_plain_get(client, users, regions, make_household):
    make_household(regions["village_a1"], head_name="张找我")
    make_household(regions["village_a1"], head_name="李别人")
    client.force_login(users["village_a1"])
    response = client.post(reverse("registry:household_list"), {"q": "张找我"})
    assert response.status_code == 302 and "q=%E5%BC%A0%E6%89%BE%E6%88%91" in response.url and "s=" not in response.url
    page = client.get(reverse("registry:household_list"), {"q": "张找我"})
    assert page.status_code == 200 and "李别人" not in page.content.decode()


def test_export_of_an_id_search_uses_the_key_and_logs_no_full_number(client, users, regions, make_household):
    number = new_id()
    make_household(regions["village_a1"], head_name="张找我", head_id=number)
    make_household(regions["village_a1"], head_name="李别人")
    client.force_login(users["leader"])
    search = client.post(reverse("registry:household_list"), {"q": number}).url
    key = search.split("s=")[1]
    response = client.get(reverse("registry:household_export"), {"s": key})
    rows = list(python_calamine.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
                .get_sheet_by_index(0).iter_rows())
    assert len(rows) == 2 and "张找我" in rows[1]
    note = AuditLog.objects.get(action="export").note
    assert number not in note and number[-4:] in note
    # A direct GET of the export with the number is redirected too.
    response = client.get(reverse("registry:household_export"), {"q": number})
    assert response.status_code == 302 and number not in response.url


def test_unknown_key_finds_nothing(client, users, regions, make_household):
    make_household(regions["village_a1"], head_name="张找我")
    client.force_login(users["village_a1"])
    page = client.get(reverse("registry:household_list"), {"s": "expired"}).content.decode()
    assert "张找我" not in page and "没有符合条件的户" in page


def test_api_refuses_an_id_number_in_the_url_and_searches_by_post(api_client, users, regions, make_household):
    number = new_id()
    mine = make_household(regions["village_a1"], head_name="张找我", head_id=number)
    make_household(regions["village_a1"], head_name="李别人")
    api = api_client(users["village_a1"])
    for path in ("/api/members", "/api/households"):
        response = api.get(path, {"q": number})
        assert response.status_code == 400 and f"POST {path}/search" in response.json()["detail"], path
        assert api.get(path, {"q": "张找我"}).json()["count"] == 1, path
    members = api.post("/api/members/search", json.dumps({"q": number, "page_size": 10}),
                       content_type="application/json").json()
    assert [m["name"] for m in members["items"]] == ["张找我"] and members["page_size"] == 10
    assert number not in json.dumps(members)
    households = api.post("/api/households/search", json.dumps({"q": number[-6:]}),
                          content_type="application/json").json()
    assert [h["id"] for h in households["items"]] == [mine.pk]
    # Scope still applies: another village's account finds nothing by the same number.
    other = api_client(users["village_b1"]).post("/api/members/search", json.dumps({"q": number}),
                                                 content_type="application/json").json()
    assert other["count"] == 0
    assert api.post("/api/members/search", json.dumps({"q": number, "bogus": 1}),
                    content_type="application/json").status_code == 422
