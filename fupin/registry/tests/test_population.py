"""Every rural household is on the register: 户类型 beside the 建档立卡 户状态 (docs/domain-facts.md §0, §2.2).

A 一般农户 is entered by the village without any procedure; a 贫困户 is not entered by hand but comes from the
identification chain, while an import of an existing register keeps its statuses; 户类型 follows every status the
procedures set; lists, filters, exports and the API show it.
"""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import new_id
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.dictionaries.services import choices
from fupin.procedures import services as procedures
from fupin.procedures.models import Kind
from fupin.procedures.tests.conftest import YEAR, accounts, flow, household  # noqa: F401
from fupin.registry import imports, tables
from fupin.registry.choices import HouseholdStatus, HouseholdType, MonitoringKind, type_for_status
from fupin.registry.models import Household, Member
from fupin.registry.services import create_household, set_monitoring_kind, update_household

from .test_api import new_household_body, send
from .test_import_export import row, workbook

PAGE = Channel.PAGE


def number(village, n: int) -> str:
    return f"{village.code}{n:04d}"


def ordinary(village, users, user="village_a1", channel=PAGE, n=9001):
    record = Household(number=number(village, n), village=village, status="", group_name="一组")
    head = Member(name="赵农", id_number=new_id(), relation="01", ethnicity="01")
    return create_household(record, [head], acting_user=users[user], channel=channel)


def test_type_follows_status():
    assert type_for_status("") == HouseholdType.ORDINARY
    assert type_for_status(HouseholdStatus.CLEARED) == HouseholdType.ORDINARY
    for status in HouseholdStatus.IN_POVERTY:
        assert type_for_status(status) == HouseholdType.POOR
    assert type_for_status(HouseholdStatus.EXITED) == HouseholdType.EXITED
    assert type_for_status(HouseholdStatus.CANCELLED, HouseholdType.EXITED) == HouseholdType.EXITED


def test_code_tables_installed_and_retired_category(db):
    assert [c[1] for c in choices("household_type", include_blank=False)] == ["一般农户", "脱贫户", "建档立卡贫困户（未脱贫）"]
    assert [c[1] for c in choices("monitoring_kind", include_blank=False)] == ["脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]
    assert "4" not in dict(choices("household_category"))  # 一般农户 is a 户类型 now


def test_village_registers_an_ordinary_household_without_status(regions, users):
    h = ordinary(regions["village_a1"], users)
    h.refresh_from_db()
    assert (h.status, h.household_type, h.monitoring_kind) == ("", HouseholdType.ORDINARY, "")


def test_village_page_registers_ordinary_and_refuses_poor(client, regions, users):
    client.force_login(users["village_a1"])
    data = {"number": number(regions["village_a1"], 9002), "village": regions["village_a1"].code, "status": "", "head-name": "钱农",
            "head-id_number": new_id(), "head-ethnicity": "01", "head-work_months": "0"}
    response = client.post(reverse("registry:household_create"), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Household.objects.get(number=data["number"]).household_type == HouseholdType.ORDINARY
    for status, label in ((HouseholdStatus.NEW, "新识别"), (HouseholdStatus.POOR, "未脱贫")):
        response = client.post(reverse("registry:household_create"),
                               {**data, "number": number(regions["village_a1"], 9010 + int(status)), "status": status, "head-id_number": new_id()})
        page = response.content.decode()
        assert response.status_code == 200
        assert f"户状态不能直接登记为“{label}”" in page and "识别纳入" in page
    assert Household.objects.count() == 1


def test_api_follows_the_page_rules(regions, users, api_client):
    client = api_client(users["village_a1"])
    response = send(client, "post", "/api/households", new_household_body(regions["village_a1"], status="1"))
    assert response.status_code == 422
    assert "户状态不能直接登记为“未脱贫”" in response.json()["errors"]["status"]
    response = send(client, "post", "/api/households",
                    new_household_body(regions["village_a1"], status="", category="", identification_year=None))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["household_type"], body["household_type_label"]) == ("1", "一般农户")
    assert (body["status"], body["monitoring_kind"], body["monitoring_kind_label"]) == ("", "", "")
    # 户类型 is not an input: it follows the status.
    assert send(client, "patch", f"/api/households/{body['id']}", {"household_type": "2"}).status_code == 422
    assert Household.objects.get(pk=body["id"]).household_type == HouseholdType.ORDINARY


def test_county_may_enter_the_register_and_import_keeps_statuses_audited_as_import(regions, users, tmp_path):
    record = Household(number=number(regions["village_a1"], 9100), village=regions["village_a1"], status=HouseholdStatus.POOR, category="1")
    created = create_household(record, [Member(name="孙穷", id_number=new_id(), relation="01")],
                               acting_user=users["county"], channel=PAGE)
    assert created.household_type == HouseholdType.POOR
    village = regions["village_a1"].code
    path = workbook(tmp_path, [row(f"{village}9101", village, "周一", new_id()),
                               row(f"{village}9102", village, "吴二", new_id(), 户状态="新识别"),
                               row(f"{village}9103", village, "郑三", new_id(), 户状态="已脱贫")])
    result = imports.import_households(path, acting_user=users["county"], channel=Channel.IMPORT)
    assert result.ok, result.errors
    got = dict(Household.objects.exclude(pk=created.pk).values_list("number", "household_type"))
    assert got == {f"{village}9101": HouseholdType.POOR, f"{village}9102": HouseholdType.POOR,
                   f"{village}9103": HouseholdType.EXITED}
    new = Household.objects.get(number=f"{village}9102")
    assert new.status == HouseholdStatus.NEW
    rows = AuditLog.objects.filter(object_type="household", object_id=str(new.pk))
    assert [(r.channel, r.note) for r in rows] == [(Channel.IMPORT, imports.IMPORT_NOTE)]


def test_status_changes_move_the_type_and_cancel_keeps_it(regions, users):
    h = ordinary(regions["village_a1"], users)
    for status, expected in ((HouseholdStatus.NEW, HouseholdType.POOR), (HouseholdStatus.EXITED, HouseholdType.EXITED),
                             (HouseholdStatus.RETURNED, HouseholdType.POOR), (HouseholdStatus.EXITED, HouseholdType.EXITED),
                             (HouseholdStatus.CANCELLED, HouseholdType.EXITED)):
        h.status = status
        update_household(h, acting_user=users["county"], channel=PAGE)
        h.refresh_from_db()
        assert h.household_type == expected, status


def test_identification_starts_from_an_ordinary_household_and_makes_it_poor(
    regions, users, household, accounts, flow  # noqa: F811
):
    h = household(regions["village_a1"], status="", category="", head_name="冯农")
    assert h.household_type == HouseholdType.ORDINARY
    accounts(h, 2000)
    procedure = procedures.start_procedure(Kind.IDENTIFICATION, h, year=YEAR, details={"category": "1",
                                           "main_cause": "1"}, reason="因病致贫，申请纳入",
                                           acting_user=users["village_a1"], channel=PAGE)
    flow.to_end(procedure)
    h.refresh_from_db()
    assert (h.status, h.household_type) == (HouseholdStatus.NEW, HouseholdType.POOR)


def test_set_monitoring_kind_checks_the_type_and_is_audited(regions, users):
    h = ordinary(regions["village_a1"], users)
    with pytest.raises(ValidationError, match="脱贫不稳定户须为脱贫户，该户为一般农户"):
        set_monitoring_kind(h, MonitoringKind.UNSTABLE, acting_user=users["county"], channel=PAGE)
    set_monitoring_kind(h, MonitoringKind.EDGE, acting_user=users["county"], channel=PAGE, note="认定")
    h.refresh_from_db()
    assert h.monitoring_kind == MonitoringKind.EDGE
    entry = AuditLog.objects.filter(object_type="household", object_id=str(h.pk)).order_by("-id").first()
    assert "monitoring_kind" in entry.changes and entry.note == "认定"
    set_monitoring_kind(h, "", acting_user=users["county"], channel=PAGE)
    h.refresh_from_db()
    assert h.monitoring_kind == ""


def test_lists_filters_and_exports_show_the_type(client, regions, users, make_household, api_client):
    ordinary(regions["village_a1"], users)
    exited = make_household(regions["village_a1"], head_name="脱贫户主", status=HouseholdStatus.EXITED, exit_year=2019)
    set_monitoring_kind(exited, MonitoringKind.UNSTABLE, acting_user=users["county"], channel=PAGE)
    make_household(regions["village_a1"], head_name="贫困户主")
    client.force_login(users["county"])
    page = client.get(reverse("registry:household_list"), {"household_type": "1"}).content.decode()
    assert "赵农" in page and "脱贫户主" not in page and "一般农户" in page
    page = client.get(reverse("registry:household_list"), {"status": "none"}).content.decode()
    assert "赵农" in page and "贫困户主" not in page
    page = client.get(reverse("registry:household_list"), {"monitoring_kind": "any"}).content.decode()
    assert "脱贫户主" in page and "赵农" not in page and "脱贫不稳定户" in page
    detail = client.get(reverse("registry:household_detail", args=[exited.pk])).content.decode()
    assert "脱贫户" in detail and "监测对象：脱贫不稳定户" in detail
    items = api_client(users["county"]).get("/api/households", {"monitoring_kind": "1"}).json()["items"]
    assert [(i["household_type_label"], i["monitoring_kind_label"]) for i in items] == [("脱贫户", "脱贫不稳定户")]
    headers = [c.header for c in tables.households.columns]
    assert {"户类型", "监测对象类别", "户状态"} <= set(headers)
    assert "household__household_type" in {c.field for c in tables.members.columns}


def test_backfill_migration(regions, users, make_household):
    migration = importlib.import_module("fupin.registry.migrations.0004_backfill_household_type")
    placeholder = make_household(regions["village_a1"], status=HouseholdStatus.NEW)
    exited = make_household(regions["village_a1"], status=HouseholdStatus.EXITED)
    gone = make_household(regions["village_a1"], status=HouseholdStatus.CANCELLED, exit_year=2018)
    Household.objects.filter(pk=placeholder.pk).update(category="4")
    Household.objects.update(household_type="1")
    migration.backfill(apps, None)
    got = {h.pk: (h.status, h.household_type, h.category) for h in Household.objects.all()}
    assert got[placeholder.pk] == ("", HouseholdType.ORDINARY, "")
    assert got[exited.pk] == (HouseholdStatus.EXITED, HouseholdType.EXITED, "1")
    assert got[gone.pk] == (HouseholdStatus.CANCELLED, HouseholdType.EXITED, "1")

