"""一般农户 from the 户籍 data set: one household per 户号 with its head and members, people already registered
skipped and reported, villages outside the account's region refused, nothing written on an error; page, API and CLI."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from conftest import PASSWORD, new_id
from fupin.audit.models import AuditLog
from fupin.comparison.actions import households as actions
from fupin.core import idnumber
from fupin.core.channels import Channel
from fupin.regions.models import Level, Region
from fupin.registry import imports as registry_imports
from fupin.registry.choices import HouseholdType, Relation
from fupin.registry.models import Household, Member

HEADER = ["户号", "姓名", "公民身份号码", "与户主关系", "户籍地址", "人口状态"]
ADDRESS = "河南省舞钢市尹集镇张庄村一组"


@pytest.fixture
def people():
    return {key: new_id(born) for key, born in {
        "zhang": dt.date(1960, 1, 1), "wife": dt.date(1962, 2, 2), "son": dt.date(1988, 3, 3),
        "li": dt.date(1970, 4, 4), "li_daughter": dt.date(2001, 5, 5), "dead": dt.date(1930, 6, 6),
        "wang": dt.date(1975, 7, 7), "wang_wife": dt.date(1976, 8, 8), "elsewhere": dt.date(1980, 9, 9),
    }.items()}


@pytest.fixture
def registration(load, people, make_household, regions):
    """A small 户籍 set for 张庄村: 张 (three people), 李 (two, one 死亡), 王 (whose 户主 is already registered), and a
    row of another village that is not this village's."""
    existing = make_household(regions["village_a1"], head_name="王已登", head_id=people["wang"])
    rows = [
        ["H1", "张大", people["zhang"], "户主", ADDRESS + "1号", "正常"],
        ["H1", "张妻", people["wife"], "妻", ADDRESS + "1号", "正常"],
        ["H1", "张子", people["son"], "长子", ADDRESS + "1号", ""],
        ["H2", "李二", people["li"], "户主", ADDRESS + "2号", "正常"],
        ["H2", "李女", people["li_daughter"], "次女", ADDRESS + "2号", "正常"],
        ["H2", "李老", people["dead"], "父亲", ADDRESS + "2号", "死亡"],
        ["H3", "王已登", people["wang"], "户主", ADDRESS + "3号", "正常"],
        ["H3", "王妻", people["wang_wife"], "妻", ADDRESS + "3号", "正常"],
        ["H9", "外村", people["elsewhere"], "户主", "河南省舞钢市枣林镇王庄村", "正常"],
    ]
    return load("household_registration", HEADER, rows), existing


def test_creates_ordinary_households_with_head_and_members_and_skips_registered(users, regions, people,
                                                                              registration):
    dataset, existing = registration
    result = actions.create_households(dataset, regions["village_a1"].code, acting_user=users["county"],
                                       channel=Channel.PAGE)
    assert (result["households"], result["members"]) == (2, 5)
    assert result["outside_village"] == 1  # 王庄村's row is not 张庄村's
    created = Household.objects.exclude(pk=existing.pk).order_by("number")
    assert [h.number for h in created] == [f"{regions['village_a1'].code}{n:04d}" for n in (2, 3)]
    zhang, li = created
    assert (zhang.head_name, zhang.head_id_number, zhang.size) == ("张大", people["zhang"], 3)
    assert (zhang.household_type, zhang.status, zhang.address) == (HouseholdType.ORDINARY, "", ADDRESS + "1号")
    relations = dict(zhang.members.values_list("name", "relation"))
    assert relations == {"张大": Relation.HEAD, "张妻": Relation.SPOUSE, "张子": "20"}
    son = zhang.members.get(name="张子")
    assert (son.sex, son.birth_date) == (idnumber.sex(people["son"]), dt.date(1988, 3, 3))
    assert set(li.members.values_list("name", flat=True)) == {"李二", "李女"}
    reasons = {item["name"]: item["reason"] for item in result["skipped"]}
    assert "死亡" in reasons["李老"]
    assert "已在" in reasons["王已登"] and existing.number in reasons["王已登"]
    assert "户主未建档" in reasons["王妻"]
    assert not Member.objects.filter(id_number__in=[people["wang_wife"], people["dead"]]).exists()
    notes = AuditLog.objects.filter(object_type__in=["household", "member"], channel=Channel.PAGE,
                                    note__contains="户籍数据集")
    assert notes.filter(object_type="household").count() == 2 and notes.filter(object_type="member").count() == 5


def test_running_it_again_creates_nothing_more(users, regions, registration):
    dataset, _ = registration
    actions.create_households(dataset, regions["village_a1"].code, acting_user=users["county"], channel=Channel.PAGE)
    again = actions.create_households(dataset, regions["village_a1"].code, acting_user=users["county"],
                                      channel=Channel.PAGE)
    assert again["households"] == 0 and Household.objects.count() == 3


def test_villages_outside_the_account_region_are_refused(users, regions, registration):
    dataset, _ = registration
    other = Region.objects.create(code="410482100201", name="张庄村", level=Level.VILLAGE, parent=regions["county"])
    with pytest.raises(PermissionDenied, match="管辖范围"):
        actions.create_households(dataset, other.code, acting_user=users["county"], channel=Channel.PAGE)
    with pytest.raises(PermissionDenied):  # a township does not read departments' data sets
        actions.create_households(dataset, regions["village_a1"].code, acting_user=users["town_a"],
                                  channel=Channel.PAGE)
    with pytest.raises(ValidationError, match="村级"):
        actions.create_households(dataset, regions["town_a"].code, acting_user=users["county"], channel=Channel.PAGE)
    assert Household.objects.count() == 1


def test_an_error_while_writing_writes_nothing(users, regions, registration, monkeypatch):
    dataset, _ = registration
    real = registry_imports.bulk_create_households

    def failing(families, **kwargs):
        real(families[:1], **kwargs)
        raise ValidationError("写入中断")

    monkeypatch.setattr(actions.registry_imports, "bulk_create_households", failing)
    with pytest.raises(ValidationError):
        actions.create_households(dataset, regions["village_a1"].code, acting_user=users["county"],
                                  channel=Channel.PAGE)
    assert Household.objects.count() == 1 and not AuditLog.objects.filter(note__contains="户籍数据集").exists()


def test_page_confirms_counts_then_runs_the_job(client, users, regions, registration, django_capture_on_commit_callbacks):
    dataset, _ = registration
    client.login(username="xian", password=PASSWORD)
    detail = client.get(reverse("comparison:dataset_detail", args=[dataset.pk])).content.decode()
    path = reverse("comparison:dataset_households", args=[dataset.pk])
    assert path in detail
    preview = client.post(path, {"village": regions["village_a1"].code}).content.decode()
    assert "将新建一般农户 2 户、5 人" in preview and Household.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"village": regions["village_a1"].code, "confirm": "1"})
    assert response.status_code == 302
    assert Household.objects.count() == 3


def test_page_refuses_a_village_account(client, users, registration):
    dataset, _ = registration
    client.login(username="cun_a1", password=PASSWORD)
    assert client.get(reverse("comparison:dataset_households", args=[dataset.pk])).status_code in (403, 404)


def test_api_dry_run_and_background_job(users, regions, registration, api_client,
                                        django_capture_on_commit_callbacks):
    dataset, _ = registration
    client = api_client(users["county"])
    path = f"/api/comparison/datasets/{dataset.pk}/households"
    response = client.post(path, {"village": regions["village_a1"].code, "dry_run": True},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["households"], body["members"], body["written"]) == (2, 5, False)
    assert {item["name"] for item in body["skipped"]} == {"李老", "王已登", "王妻"}
    Region.objects.create(code="410482100201", name="外县村", level=Level.VILLAGE, parent=regions["county"])
    response = client.post(path, {"village": "410482100201"}, content_type="application/json")
    assert response.status_code == 403 and "管辖范围" in response.json()["detail"]
    response = client.post(path, {"village": "410482100299"}, content_type="application/json")
    assert response.status_code == 422 and "village" in response.json()["errors"]
    assert Household.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"village": regions["village_a1"].code}, content_type="application/json")
    assert response.status_code == 202
    job = client.get(f"/api/comparison/datasets/households/jobs/{response.json()['job_id']}").json()
    assert job["status"] == "succeeded" and job["result"]["households"] == 2
    assert Household.objects.count() == 3


def test_cli(users, regions, registration):
    dataset, _ = registration
    out = StringIO()
    call_command("dataset_households", "--dataset", str(dataset.pk), "--village", regions["village_a1"].code,
                 "--json", "--user", "xian", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["households"], result["members"], result["written"]) == (2, 5, True)
    assert Household.objects.count() == 3
