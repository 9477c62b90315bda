"""Department accounts: only their department's kinds, data sets, suspects and reverse lists; column mappings kept
per uploader and audited."""

import io

import pytest
import python_calamine
from django.urls import reverse

from conftest import PASSWORD, new_id
from fupin.accounts.models import Role, User
from fupin.audit.models import AuditLog
from fupin.comparison import rules as rule_book
from fupin.comparison.actions.mappings import remembered_mapping
from fupin.comparison.models import DatasetKind, RememberedMapping, Suspect

from .conftest import write_xlsx


@pytest.fixture
def world(load, compare, make_household, regions, users):
    """A registered person who is dead (民政's death list) and not insured (医保's insurance list)."""
    dead, insured = new_id(), new_id()
    make_household(regions["village_a1"], head_name="甲", head_id=dead)
    make_household(regions["village_a1"], head_name="乙", head_id=insured)
    deaths = load("death", ["姓名", "身份证号", "死亡日期"], [["甲", dead, "2024-05-01"]])
    insurance = load("medical_insurance", ["姓名", "身份证号"], [["乙", insured]])
    compare([deaths, insurance])
    county = users["county"].region
    return {
        "deaths": deaths, "insurance": insurance,
        "yibao": User.objects.create_user("yibao", password=PASSWORD, role=Role.DEPARTMENT, region=county,
                                          department="医保"),
        "minzheng": User.objects.create_user("minzheng", password=PASSWORD, role=Role.DEPARTMENT, region=county,
                                             department="民政"),
        "death_suspect": Suspect.objects.get(rule="deceased_registered"),
        "insurance_suspect": Suspect.objects.get(rule="not_insured", id_number=dead),
    }


def _codes(response, key="code"):
    assert response.status_code == 200, response.content
    body = response.json()
    return {row[key] for row in (body["items"] if isinstance(body, dict) else body)}


def test_a_department_reads_only_its_own_kinds_through_the_api(world, api_client, users, tmp_path):
    yibao = api_client(world["yibao"])
    assert _codes(yibao.get("/api/comparison/kinds")) == {"medical_insurance", "hospital_bill"}
    assert _codes(yibao.get("/api/comparison/rules")) == {"not_insured", "large_medical_expense", "medical_self_pay_share"}
    assert _codes(yibao.get("/api/comparison/datasets"), "id") == {world["insurance"].pk}
    assert yibao.get(f"/api/comparison/datasets/{world['deaths'].pk}").status_code == 404
    assert yibao.get(f"/api/comparison/datasets/{world['insurance'].pk}").status_code == 200
    assert _codes(yibao.get("/api/comparison/suspects"), "rule") == {"not_insured"}
    assert yibao.get(f"/api/comparison/suspects/{world['death_suspect'].pk}").status_code == 404
    assert _codes(yibao.get("/api/comparison/stats/rules")) == {"not_insured"}
    assert sum(row["total"] for row in yibao.get("/api/comparison/stats/townships").json()) == \
        Suspect.objects.filter(rule="not_insured").count()
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(b"".join(
        yibao.get("/api/comparison/suspects/export").streaming_content))).get_sheet_by_index(0).to_python()
    assert "死亡" not in str(sheet) and len(sheet) == 1 + Suspect.objects.filter(rule="not_insured").count()
    assert _codes(yibao.get("/api/comparison/reverse-lists")) == {"insurance_subsidy"}
    assert yibao.get("/api/comparison/reverse-lists/school_age_children").status_code == 404
    assert yibao.get("/api/comparison/reverse-lists/insurance_subsidy").status_code == 200
    # Its uploads are limited to its kinds, and it cannot start a comparison.
    path = write_xlsx(tmp_path / "upload.xlsx", ["姓名", "身份证号"], [["丙", new_id()]])
    with open(path, "rb") as fh:
        response = yibao.post("/api/comparison/datasets", {"file": fh, "kind": "death"})
    assert response.status_code == 422 and not DatasetKind.objects.get(code="death").datasets.exclude(
        pk=world["deaths"].pk).exists()
    response = yibao.post("/api/comparison/runs", {"datasets": [world["insurance"].pk]}, content_type="application/json")
    assert response.status_code == 403
    # A county account reads everything, as before.
    county = api_client(users["county"])
    assert len(_codes(county.get("/api/comparison/kinds"))) == DatasetKind.objects.count()
    assert _codes(county.get("/api/comparison/suspects"), "rule") == {"deceased_registered", "not_insured"}
    assert len(_codes(county.get("/api/comparison/reverse-lists"))) == 5



def test_a_department_sees_only_its_own_kinds_on_the_pages(world, client, users):
    client.force_login(world["yibao"])
    assert client.get(reverse("comparison:dataset_detail", args=[world["deaths"].pk])).status_code == 404
    assert client.get(reverse("comparison:dataset_detail", args=[world["insurance"].pk])).status_code == 200
    assert client.get(reverse("comparison:suspect_detail", args=[world["death_suspect"].pk])).status_code == 404
    assert client.get(reverse("comparison:suspect_detail", args=[world["insurance_suspect"].pk])).status_code == 200
    assert client.get(reverse("comparison:reverse_download", args=["dibao_members"])).status_code == 404
    assert client.get(reverse("comparison:reverse_download", args=["insurance_subsidy"])).status_code == 200
    # No other department's kind or rule is named on any page.
    others = [k.name for k in DatasetKind.objects.exclude(code__in=["medical_insurance", "hospital_bill"])]
    others += [r.name for r in rule_book.all_rules() if r.kind not in ("medical_insurance", "hospital_bill")]
    for name in ("comparison:index", "comparison:kind_list", "comparison:dataset_list", "comparison:dataset_upload",
                 "comparison:suspect_list", "comparison:dashboard", "comparison:reverse_lists"):
        page = client.get(reverse(name)).content.decode().replace("2024年10月死亡人员名单", "")
        assert not [other for other in others if other in page], name
    assert "医保参保人员" in client.get(reverse("comparison:dataset_upload")).content.decode()
    # A county account still sees every kind and rule.
    client.force_login(users["county"])
    death_rule = rule_book.get("deceased_registered").name
    for name in ("comparison:kind_list", "comparison:dataset_upload", "comparison:suspect_list"):
        page = client.get(reverse(name)).content.decode()
        assert "低保对象" in page or death_rule in page, name

def test_each_uploader_keeps_its_own_column_mapping_and_changes_are_audited(world, load, users):
    kind = DatasetKind.objects.get(code="medical_insurance")
    yibao = world["yibao"]
    before = AuditLog.objects.filter(object_type="rememberedmapping").count()
    load("medical_insurance", ["参保人", "号码"], [["丙", new_id()]], user=yibao,
         mapping={"name": "参保人", "id_number": "号码"})
    assert remembered_mapping(kind, yibao) == {"参保人": "name", "号码": "id_number"}
    # The county's upload of the same kind, with "号码" in another role, leaves the department's mapping alone.
    load("medical_insurance", ["姓名", "号码", "证件"], [["丁", "A1", new_id()]], user=users["county"],
         mapping={"id_number": "证件"})
    assert remembered_mapping(kind, yibao) == {"参保人": "name", "号码": "id_number"}
    assert remembered_mapping(kind, users["county"])["证件"] == "id_number"
    assert "号码" not in remembered_mapping(kind, users["county"])
    # The department's next file with the same headers is mapped without being told.
    dataset = load("medical_insurance", ["参保人", "号码"], [["戊", new_id()]], user=yibao)
    assert dataset.rows_stored == 1 and dataset.mapping == {"name": "参保人", "id_number": "号码"}
    assert RememberedMapping.objects.filter(kind=kind).count() == 2
    entries = AuditLog.objects.filter(object_type="rememberedmapping").order_by("id")[before:]
    mine = [e for e in entries if e.user_id == yibao.pk]
    assert [e.action for e in mine] == ["create"]  # the same headers again change nothing and log nothing
    assert mine[0].changes["mapping"] == [None, {"参保人": "name", "号码": "id_number"}]
    assert mine[0].region_code == yibao.region_id and mine[0].time is not None
    county = [e for e in entries if e.user_id == users["county"].pk]
    assert [e.action for e in county] == ["update"]
    assert county[0].changes["mapping"][1]["证件"] == "id_number" and "证件" not in county[0].changes["mapping"][0]
