"""户编号, 联系电话 and 银行账号 are checked by the registry services, so the page form, the API and the import each
refuse a bad value naming the field (the import by row and column) and write nothing."""

import json

import pytest
from django.urls import reverse

from conftest import new_id
from fupin.core.channels import Channel
from fupin.registry import imports
from fupin.registry.models import Household

from .test_import_export import HEADER, row, workbook

VILLAGE = "410481100201"


def page_body(**extra):
    return {"number": f"{VILLAGE}0099", "village": VILLAGE, "status": "", "head-name": "新户主",
            "head-id_number": new_id(), "head-ethnicity": "01", "head-work_months": "0",
            "has_production_power": "on", "has_living_power": "on", **extra}


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("number", "H099", "户编号“H099”应全部为数字"),
    ("number", "4104811012010099", f"应以所属村的区划代码 {VILLAGE} 开头"),
    ("phone", "1381234567", "手机号码应为11位"),
    ("phone", "6123456", "带区号的固定电话"),
    ("bank_account", "62284804", "银行账号为8位"),
])
def test_page_form_names_the_field(client, regions, users, field, value, reason):
    client.force_login(users["village_a1"])
    response = client.post(reverse("registry:household_create"), page_body(**{field: value}))
    assert response.status_code == 200
    assert reason in " ".join(response.context["form"].errors.get(field, []))
    assert not Household.objects.exists()


def test_page_saves_a_good_household_and_warns_of_a_card_check_digit(client, regions, users):
    client.force_login(users["village_a1"])
    response = client.post(reverse("registry:household_create"),
                           page_body(phone="0375-6123456", bank_account="6228 4804 0256 4890 019"), follow=True)
    household = Household.objects.get()
    assert (household.phone, household.bank_account) == ("0375-6123456", "6228480402564890019")
    assert "校验位" in response.content.decode()


def api_body(**extra):
    return {"number": f"{VILLAGE}0199", "village": VILLAGE, "status": "2", "exit_year": 2019, "category": "2",
            "main_cause": "1", "members": [{"name": "李四", "id_number": new_id(), "relation": "01"}], **extra}


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("number", f"{VILLAGE}01", "户编号"),
    ("phone", "12812345678", "第二位应为3至9"),
    ("bank_account", "6228-ABCD", "银行账号"),
])
def test_api_names_the_field(api_client, users, field, value, reason):
    client = api_client(users["village_a1"])
    response = client.post("/api/households", data=json.dumps(api_body(**{field: value})),
                           content_type="application/json")
    assert response.status_code == 422
    assert reason in response.json()["errors"][field]
    assert not Household.objects.exists()


def test_api_edit_checks_phone_and_account_but_not_an_old_number(api_client, users, regions):
    old = Household.objects.create(number="A-17", village=regions["village_a1"])  # numbered before the rule
    client = api_client(users["village_a1"])
    path = f"/api/households/{old.pk}"
    response = client.patch(path, data=json.dumps({"phone": "138"}), content_type="application/json")
    assert response.status_code == 422 and "联系电话" in response.json()["errors"]["phone"]
    response = client.patch(path, data=json.dumps({"phone": "13812345678"}), content_type="application/json")
    assert response.status_code == 200


def test_import_reports_row_and_column(users, regions, tmp_path):
    header = [*HEADER, "联系电话", "银行账号"]
    path = workbook(tmp_path, [
        row(f"{VILLAGE}0001", VILLAGE, "张三", new_id()) + ["13812345678", "6228480402564890018"],
        row("4104811012010002", VILLAGE, "李四", new_id()) + ["", ""],
        row(f"{VILLAGE}0003", VILLAGE, "王五", new_id()) + ["1381234", ""],
        row(f"{VILLAGE}0004", VILLAGE, "赵六", new_id()) + ["", "62284804025"],
    ], header=header)
    result = imports.import_households(path, acting_user=users["village_a1"], channel=Channel.IMPORT)
    assert [(e.row, e.column) for e in result.errors] == [(3, "户编号"), (4, "联系电话"), (5, "银行账号")]
    assert "应以所属村的区划代码" in result.errors[0].reason and "银行账号为11位" in result.errors[2].reason
    assert not Household.objects.exists()


def test_import_creates_ordinary_households_from_a_blank_status_or_the_type_column(users, regions, tmp_path):
    header = [*HEADER, "户类型"]
    path = workbook(tmp_path, [
        row(f"{VILLAGE}0001", VILLAGE, "张三", new_id(), 户状态="", 贫困户属性="", 主要致贫原因="", 识别年度="")
        + ["一般农户"],
        row(f"{VILLAGE}0002", VILLAGE, "李四", new_id(), 户状态="", 贫困户属性="", 主要致贫原因="", 识别年度="")
        + [""],
    ], header=header)
    result = imports.import_households(path, acting_user=users["village_a1"], channel=Channel.IMPORT)
    assert result.ok, result.errors
    assert set(Household.objects.values_list("household_type", "status")) == {("1", "")}


def test_import_refuses_a_type_that_disagrees_with_the_status(users, regions, tmp_path):
    path = workbook(tmp_path, [row(f"{VILLAGE}0001", VILLAGE, "张三", new_id()) + ["一般农户"]],
                    header=[*HEADER, "户类型"])
    result = imports.import_households(path, acting_user=users["village_a1"], channel=Channel.IMPORT)
    assert [(e.row, e.column) for e in result.errors] == [(2, "户类型")]
    assert "与户状态“未脱贫”不一致" in result.errors[0].reason


def test_an_edit_leaves_a_phone_kept_before_the_rule(api_client, users, regions):
    old = Household.objects.create(number=f"{VILLAGE}0007", village=regions["village_a1"], phone="6123456")
    client = api_client(users["village_a1"])
    response = client.patch(f"/api/households/{old.pk}", data=json.dumps({"address": "张庄村二组"}),
                            content_type="application/json")
    assert response.status_code == 200, response.content
