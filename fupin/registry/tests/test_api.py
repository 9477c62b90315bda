"""Registry API: auth, data scope, validation, read-only roles, masking and logged reveals, history, query counts."""

import datetime as dt
import json

import pytest
from django.test import Client

from conftest import PASSWORD, new_id
from fupin.accounts.models import ApiToken
from fupin.audit.models import Action, AuditLog
from fupin.core.channels import Channel
from fupin.core.idnumber import mask
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household, Member

pytestmark = pytest.mark.django_db


def send(client, method, path, body=None):
    if method in ("get", "delete"):
        return getattr(client, method)(path)
    return getattr(client, method)(path, data=json.dumps(body or {}), content_type="application/json")


def new_household_body(village, number="4104811002010199", head_id=None, **extra):
    return {
        "number": number,
        "village": village.code,
        "status": "2", "exit_year": 2019,
        "category": "2",
        "main_cause": "1",
        "identification_year": 2016,
        "address": "张庄村一组",
        "members": [
            {"name": "李四", "id_number": head_id or new_id(), "relation": "01", "ethnicity": "01"},
            {"name": "王芳", "id_number": new_id(dt.date(1982, 3, 4)), "relation": "10", "education": "3"},
        ],
        **extra,
    }


@pytest.fixture
def homes(regions, make_household):
    """Two households in village A1 (one exited), one in A2, one in B1."""
    return {
        "a1": make_household(regions["village_a1"], head_name="张三"),
        "a1_2": make_household(regions["village_a1"], head_name="张四", status=HouseholdStatus.EXITED, exit_year=2019),
        "a2": make_household(regions["village_a2"], head_name="李五"),
        "b1": make_household(regions["village_b1"], head_name="王六"),
    }


# --- authentication ---------------------------------------------------------------------------------------------


def test_missing_or_invalid_token_is_401(homes):
    response = Client().get("/api/households")
    assert response.status_code == 401
    assert "未认证" in response.json()["detail"]
    response = Client(HTTP_AUTHORIZATION="Bearer not-a-token").get("/api/households")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌无效或已撤销"


def test_token_of_disabled_account_is_refused(users, api_client):
    client = api_client(users["village_a1"])
    assert client.get("/api/households").status_code == 200
    users["village_a1"].is_active = False
    users["village_a1"].save()
    response = client.get("/api/households")
    assert response.status_code == 401 and "停用" in response.json()["detail"]


def test_token_use_updates_last_used(users, api_client):
    client = api_client(users["town_a"])
    token = ApiToken.objects.get(user=users["town_a"])
    assert token.last_used is None
    client.get("/api/households")
    token.refresh_from_db()
    assert token.last_used is not None


def test_browser_session_works_and_writes_need_csrf(homes, users):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="cun_a1", password=PASSWORD)
    assert client.get("/api/households").json()["count"] == 2
    path = f"/api/households/{homes['a1'].pk}"
    response = send(client, "patch", path, {"address": "新地址"})
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    client.get("/api/docs")  # sets the csrftoken cookie, as the docs page does for the browser
    response = client.patch(
        path,
        data=json.dumps({"address": "新地址"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 200
    assert response.json()["address"] == "新地址"


# --- data scope -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "account, expected",
    [
        ("village_a1", {"a1", "a1_2"}),
        ("town_a", {"a1", "a1_2", "a2"}),
        ("town_b", {"b1"}),
        ("county", {"a1", "a1_2", "a2", "b1"}),
        ("leader", {"a1", "a1_2", "a2", "b1"}),
    ],
)
def test_lists_and_counts_follow_scope(homes, users, api_client, account, expected):
    body = api_client(users[account]).get("/api/households").json()
    assert body["count"] == len(expected)
    assert {item["id"] for item in body["items"]} == {homes[k].pk for k in expected}


def test_other_village_household_is_404_for_every_verb(homes, users, api_client):
    client = api_client(users["village_a1"])
    b1 = homes["b1"]
    member = b1.members.get()
    attempts = [
        ("get", f"/api/households/{b1.pk}", None),
        ("patch", f"/api/households/{b1.pk}", {"address": "x"}),
        ("delete", f"/api/households/{b1.pk}", None),
        ("get", f"/api/households/{b1.pk}/history", None),
        ("get", f"/api/households/{b1.pk}/income-accounts", None),
        ("put", f"/api/households/{b1.pk}/income-accounts/2020", {"wage_income": 1}),
        ("put", f"/api/households/{b1.pk}/security-checks/2020", {}),
        ("post", f"/api/households/{b1.pk}/members", {"name": "甲", "id_number": new_id(), "relation": "20"}),
        ("get", f"/api/members/{member.pk}", None),
        ("get", f"/api/members/{member.pk}?reveal=1", None),
        ("patch", f"/api/members/{member.pk}", {"work_months": 3}),
        ("post", f"/api/members/{member.pk}/remove", {"reason": "死亡"}),
        ("post", f"/api/members/{member.pk}/reveal", None),
    ]
    for method, path, body in attempts:
        response = send(client, method, path, body)
        assert response.status_code == 404, (method, path, response.content)
        # The same answer as for an id that does not exist at all: nothing about B1 leaks.
        assert response.json() == {"detail": "记录不存在或不在当前账号的管辖范围内"}
    assert client.get("/api/households/999999").json() == {"detail": "记录不存在或不在当前账号的管辖范围内"}
    assert Household.objects.get(pk=b1.pk).address == ""
    assert Member.objects.filter(household=b1).count() == 1
    assert not AuditLog.objects.filter(channel=Channel.API).exists()


def test_creating_in_another_village_is_refused(regions, users, api_client):
    response = send(
        api_client(users["village_a1"]), "post", "/api/households", new_household_body(regions["village_b1"])
    )
    assert response.status_code == 403
    assert "管辖范围" in response.json()["detail"]
    assert not Household.objects.filter(number="4104811002010199").exists()


def test_member_list_follows_scope(homes, users, api_client):
    body = api_client(users["town_b"]).get("/api/members").json()
    assert body["count"] == 1
    assert body["items"][0]["household"] == homes["b1"].pk


# --- filters and pagination -------------------------------------------------------------------------------------


def test_list_uses_the_page_filters(homes, users, api_client):
    client = api_client(users["county"])
    assert {i["id"] for i in client.get("/api/households?status=2").json()["items"]} == {homes["a1_2"].pk}
    assert client.get("/api/households?q=李五").json()["items"][0]["id"] == homes["a2"].pk
    assert client.get(f"/api/households?region={homes['a1'].village_id[:9]}").json()["count"] == 3
    head_id = homes["b1"].head_id_number
    assert client.get(f"/api/households?q={head_id}").status_code == 400  # an ID number is searched by POST
    found = client.post("/api/households/search", {"q": head_id}, content_type="application/json").json()
    assert [i["id"] for i in found["items"]] == [homes["b1"].pk]


def test_bad_filter_values_are_422_in_chinese(homes, users, api_client):
    client = api_client(users["county"])
    response = client.get("/api/households?status=99")
    assert response.status_code == 422
    assert "status" in response.json()["errors"]
    assert "选择" in response.json()["errors"]["status"]
    response = client.get("/api/households?year=abc")
    assert response.status_code == 422
    assert response.json()["errors"] == {"year": "应为整数"}


def test_pagination(homes, users, api_client):
    client = api_client(users["county"])
    first = client.get("/api/households?page_size=3").json()
    second = client.get("/api/households?page_size=3&page=2").json()
    assert (first["count"], first["pages"], len(first["items"]), len(second["items"])) == (4, 2, 3, 1)
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert client.get("/api/households?page_size=501").status_code == 422


def test_list_query_count_does_not_grow_with_rows(
    regions, users, api_client, make_household, django_assert_max_num_queries
):
    for _ in range(30):
        make_household(regions["village_a1"])
    client = api_client(users["county"])
    with django_assert_max_num_queries(8):
        assert client.get("/api/households?page_size=100").json()["count"] == 30
    with django_assert_max_num_queries(8):
        assert client.get("/api/members?page_size=100").json()["count"] == 30


# --- coded fields, masking and reveal ---------------------------------------------------------------------------


def test_coded_fields_come_with_labels(homes, users, api_client):
    client = api_client(users["county"])
    item = next(i for i in client.get("/api/households").json()["items"] if i["id"] == homes["a1_2"].pk)
    assert (item["status"], item["status_label"]) == ("2", "已脱贫")
    assert (item["category"], item["category_label"]) == ("1", "一般贫困户")
    detail = client.get(f"/api/households/{homes['a1'].pk}").json()
    assert detail["main_cause_label"] == "因病"
    head = detail["members"][0]
    assert (head["relation"], head["relation_label"], head["ethnicity_label"]) == ("01", "户主", "汉族")
    assert head["sex_label"] in ("男", "女")
    assert detail["village_name"] == "舞钢市尹集镇张庄村"


def test_id_numbers_are_masked_and_reveal_is_logged(homes, users, api_client):
    client = api_client(users["village_a1"])
    household = homes["a1"]
    full = household.head_id_number
    detail = client.get(f"/api/households/{household.pk}").json()
    assert detail["head_id_number"] == mask(full)
    assert detail["members"][0]["id_number"] == mask(full)
    assert detail["members"][0]["id_revealed"] is False
    assert full not in json.dumps(client.get("/api/households").json())
    assert full not in json.dumps(client.get("/api/members").json())
    assert not AuditLog.objects.filter(action=Action.VIEW_SENSITIVE).exists()

    revealed = client.get(f"/api/households/{household.pk}?reveal=1").json()
    assert revealed["members"][0]["id_number"] == full
    assert revealed["head_id_number"] == full
    log = AuditLog.objects.get(action=Action.VIEW_SENSITIVE)
    assert (log.channel, log.user, log.parent_id) == (Channel.API, users["village_a1"], str(household.pk))

    member = household.members.get()
    response = client.post(f"/api/members/{member.pk}/reveal")
    assert response.json() == {"id": member.pk, "name": member.name, "id_number": full}
    assert client.get(f"/api/members/{member.pk}?reveal=1").json()["id_number"] == full
    assert AuditLog.objects.filter(action=Action.VIEW_SENSITIVE, channel=Channel.API).count() == 3


# --- writes, validation, history --------------------------------------------------------------------------------


def test_create_household_with_members_and_history_shows_api(regions, users, api_client):
    client = api_client(users["village_a1"])
    response = send(client, "post", "/api/households", new_household_body(regions["village_a1"]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["size"], body["head_name"], body["category_label"]) == (2, "李四", "低保贫困户")
    assert [m["relation_label"] for m in body["members"]] == ["户主", "配偶"]
    assert body["members"][1]["education_label"] == "初中"
    history = client.get(f"/api/households/{body['id']}/history").json()
    assert history["count"] == 3
    assert {(e["channel"], e["channel_label"], e["action_label"]) for e in history["items"]} == {
        ("api", "接口", "新增")
    }
    assert {e["username"] for e in history["items"]} == {"cun_a1"}


def test_bad_id_number_is_422_with_chinese_reason(regions, users, api_client):
    client = api_client(users["village_a1"])
    body = new_household_body(regions["village_a1"], head_id="410481198005170012")
    response = send(client, "post", "/api/households", body)
    assert response.status_code == 422
    assert "校验位" in response.json()["errors"]["id_number"]
    body = new_household_body(regions["village_a1"], head_id="4.10481E+17")
    assert "科学计数法" in send(client, "post", "/api/households", body).json()["errors"]["id_number"]
    assert not Household.objects.exists()


def test_missing_fields_are_422_in_chinese(regions, users, api_client):
    body = new_household_body(regions["village_a1"])
    del body["number"]
    body["members"][0]["work_months"] = "很多"
    response = send(api_client(users["village_a1"]), "post", "/api/households", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"number": "必填", "members.0.work_months": "应为整数"}
    assert response.json()["detail"].startswith("提交的数据有误")


def test_household_without_head_is_422(regions, users, api_client):
    body = new_household_body(regions["village_a1"])
    body["members"] = body["members"][1:]
    response = send(api_client(users["village_a1"]), "post", "/api/households", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"__all__": "新建户必须登记一名户主"}


def test_duplicate_person_across_households_names_both(homes, regions, users, api_client):
    client = api_client(users["county"])
    existing = homes["b1"]
    body = new_household_body(regions["village_a1"], head_id=existing.head_id_number)
    response = send(client, "post", "/api/households", body)
    assert response.status_code == 422
    message = response.json()["errors"]["id_number"]
    assert existing.number in message and "4104811002010199" in message
    assert "王庄村" in message and "张庄村" in message
    # The same through adding a member to an existing household.
    target = homes["a2"]
    response = send(
        client,
        "post",
        f"/api/households/{target.pk}/members",
        {"name": "王六", "id_number": existing.head_id_number, "relation": "20"},
    )
    assert response.status_code == 422
    message = response.json()["errors"]["id_number"]
    assert existing.number in message and target.number in message


def test_update_household_and_member(homes, users, api_client):
    client = api_client(users["town_a"])
    household = homes["a1"]
    response = send(
        client, "patch", f"/api/households/{household.pk}", {"status": "2", "exit_year": 2019, "other_causes": "5,7"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status_label"], response.json()["other_causes_label"]) == ("已脱贫", "缺土地、缺技术")
    assert response.json()["number"] == household.number
    response = send(client, "patch", f"/api/households/{household.pk}", {"other_causes": "1"})
    assert response.status_code == 422
    assert "重复" in response.json()["errors"]["other_causes"]

    member = household.members.get()
    # Echoing back the masked number leaves it unchanged.
    response = send(
        client,
        "patch",
        f"/api/members/{member.pk}",
        {"id_number": mask(member.id_number), "labour_skill": "2", "work_months": 6},
    )
    assert response.status_code == 200, response.content
    assert response.json()["labour_skill_label"] == "技能劳动力"
    member.refresh_from_db()
    assert (member.labour_skill, member.work_months) == ("2", 6)
    entry = AuditLog.objects.filter(object_type="member", object_id=str(member.pk)).first()
    assert entry.channel == Channel.API and entry.changes["work_months"] == [0, 6]


def test_add_and_remove_member(homes, users, api_client):
    client = api_client(users["village_a1"])
    household = homes["a1"]
    child_id = new_id(dt.date(2010, 9, 1))
    response = send(
        client,
        "post",
        f"/api/households/{household.pk}/members",
        {"name": "张小", "id_number": child_id, "relation": "20", "schooling": "05"},
    )
    assert response.status_code == 201, response.content
    child = response.json()
    assert (child["birth_date"], child["schooling_label"]) == ("2010-09-01", "八年级")
    assert child["id_number"] == mask(child_id)
    assert Household.objects.get(pk=household.pk).size == 2

    assert send(client, "post", f"/api/members/{child['id']}/remove", {"reason": ""}).status_code == 422
    response = send(client, "post", f"/api/members/{child['id']}/remove", {"reason": "户口迁出"})
    assert response.status_code == 200
    assert (response.json()["active"], response.json()["removed_reason"]) == (False, "户口迁出")
    assert Household.objects.get(pk=household.pk).size == 1
    again = send(client, "post", f"/api/members/{child['id']}/remove", {"reason": "户口迁出"})
    assert again.status_code == 422
    assert client.get("/api/members").json()["count"] == 2  # in-register members of A1 only
    assert client.get("/api/members?active=0").json()["count"] == 1


def test_delete_household(homes, users, api_client):
    client = api_client(users["village_a1"])
    household = homes["a1"]
    assert client.delete(f"/api/households/{household.pk}").status_code == 204
    assert client.get(f"/api/households/{household.pk}").status_code == 404
    assert AuditLog.objects.filter(object_type="household", action=Action.DELETE, channel=Channel.API).exists()


def test_income_account_put_computes_per_capita(homes, users, api_client):
    client = api_client(users["village_a1"])
    household = homes["a1"]
    path = f"/api/households/{household.pk}/income-accounts/2020"
    body = {
        "wage_income": "12000",
        "business_income": 3000,
        "transfer_income": "1500.50",
        "business_costs": 1000,
        "household_size": 3,
    }
    response = send(client, "put", path, body)
    assert response.status_code == 201, response.content
    assert (response.json()["net_income"], response.json()["per_capita_net_income"]) == ("15500.50", "5166.83")
    response = send(client, "put", path, {**body, "household_size": None})  # empty size → registered members
    assert response.status_code == 200
    assert response.json()["per_capita_net_income"] == "15500.50"
    assert len(client.get(f"/api/households/{household.pk}/income-accounts").json()) == 1
    response = send(client, "put", path, {**body, "wage_income": -5})
    assert response.status_code == 422
    assert response.json()["errors"] == {"wage_income": "金额不能为负数"}
    assert client.get("/api/households?income_year=2020&income_below=6000").json()["count"] == 0
    assert client.get("/api/households?income_year=2020&income_below=20000").json()["count"] == 1


def test_security_check_put(homes, users, api_client):
    client = api_client(users["village_a1"])
    path = f"/api/households/{homes['a1'].pk}/security-checks/2020"
    response = send(client, "put", path, {"house_grade": "C", "housing_secure": True})
    assert response.status_code == 422
    assert "危房" in response.json()["errors"]["housing_secure"]
    response = send(client, "put", path, {"house_grade": "C", "housing_secure": False, "checked_on": "2020-06-01"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["all_secure"], body["house_grade_label"]) == (False, "C级（局部危房）")


# --- read-only and department accounts --------------------------------------------------------------------------


@pytest.mark.parametrize("account", ["leader", "department"])
def test_read_only_and_department_accounts_cannot_write(homes, regions, users, api_client, account):
    client = api_client(users[account])
    household = homes["a1"]
    member = household.members.get()
    attempts = [
        ("post", "/api/households", new_household_body(regions["village_a1"])),
        ("patch", f"/api/households/{household.pk}", {"address": "x"}),
        ("delete", f"/api/households/{household.pk}", None),
        ("post", f"/api/households/{household.pk}/members", {"name": "甲", "id_number": new_id(), "relation": "20"}),
        ("patch", f"/api/members/{member.pk}", {"work_months": 3}),
        ("post", f"/api/members/{member.pk}/remove", {"reason": "死亡"}),
        ("put", f"/api/households/{household.pk}/income-accounts/2020", {"wage_income": 1}),
        ("put", f"/api/households/{household.pk}/security-checks/2020", {}),
    ]
    for method, path, body in attempts:
        response = send(client, method, path, body)
        if account == "department" and path != "/api/households":
            # Departments don't browse the register at all: its rows don't exist for them.
            assert response.status_code == 404, (method, path, response.content)
            continue
        assert response.status_code == 403, (method, path, response.content)
        assert response.json()["detail"] == "当前账号没有修改建档立卡数据的权限"
    assert Household.objects.count() == 4 and Member.objects.count() == 4
    assert not AuditLog.objects.filter(channel=Channel.API).exists()


def test_unknown_fields_and_unparseable_bodies_are_refused(homes, users, api_client):
    client = api_client(users["county"])
    path = f"/api/households/{homes['a1'].pk}"
    response = send(client, "patch", path, {"stauts": "2"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"stauts": "不支持的字段（或该字段不可修改）"}
    assert send(client, "patch", path, {"number": "1"}).status_code == 422  # the number is the household's identity
    response = client.patch(path, data="{bad json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("无法解析请求体")
    assert client.get("/api/households/abc").json()["errors"] == {"household_id": "应为整数"}
    assert Household.objects.get(pk=homes["a1"].pk).status == HouseholdStatus.POOR
