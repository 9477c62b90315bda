"""Bad input on the API answers a clear 4xx in Chinese, never a 500 — each case one that the fuzz run
(test_api_fuzz.py) once found answering 500 — and the OpenAPI document tells the truth about it."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from pydantic import BaseModel

from fupin.api import api
from fupin.core.apitools import MAX_INT, MAX_PAGE
from fupin.monitoring.engine import ConditionError, validate
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household

pytestmark = pytest.mark.django_db

HUGE = 2**64  # larger than any 64-bit integer column
JSON = "application/json"


def _openapi() -> dict:
    return Client().get("/api/openapi.json").json()


def _list_routes() -> list[str]:
    """Every GET without path parameters that takes a page number, read from the OpenAPI document."""
    return [
        path for path, operations in _openapi()["paths"].items()
        if "{" not in path and "get" in operations
        and any(p["name"] == "page" for p in operations["get"].get("parameters", []))
    ]


def test_page_numbers_beyond_a_64_bit_integer_are_refused_on_every_list(api_client, users, make_household, regions):
    make_household(regions["village_a1"])
    county = api_client(users["county"])
    routes = _list_routes()
    assert len(routes) >= 10
    for path in routes:
        # The last page number accepted is past the end of every list: empty, not an OFFSET overflow.
        response = county.get(path, {"page": str(MAX_PAGE), "page_size": "500"})
        if response.status_code == 403:  # a list this role may not use at all
            continue
        assert response.status_code == 200, (path, response.status_code)
        assert response.json()["items"] == []
        response = county.get(path, {"page": str(HUGE)})
        assert response.status_code == 422, (path, response.status_code)
        assert "page" in response.json()["errors"] and "不能大于" in response.json()["detail"]


HTML_LISTS = ["/registry/households/", "/registry/members/", "/monitoring/runs/", "/monitoring/alerts/",
              "/monitoring/monitored/", "/comparison/datasets/", "/comparison/runs/", "/procedures/",
              "/procedures/notices/", "/assistance/helpers/", "/jobs/"]


@pytest.mark.parametrize("path", HTML_LISTS)
def test_html_list_pages_survive_a_huge_page_number(client, users, make_household, regions, path):
    make_household(regions["village_a1"])
    client.force_login(users["county"])
    response = client.get(path, {"page": "99999999999999999999"})
    assert response.status_code == 200, path  # Django's Paginator.get_page shows the last page


def test_integer_filters_and_id_lists_beyond_a_64_bit_integer(api_client, users, regions):
    county = api_client(users["county"])
    for path, params in [("/api/comparison/suspects", {"run": HUGE}), ("/api/comparison/suspects", {"dataset": HUGE}),
                         ("/api/households", {"year": HUGE}), ("/api/poverty-lines", {"year": HUGE}),
                         ("/api/procedures", {"year": HUGE})]:
        response = county.get(path, params)
        assert response.status_code == 422, (path, params, response.content)
    today = dt.date.today().isoformat()
    for path, body in [
        ("/api/notices", {"procedures": [HUGE], "start_date": today, "end_date": today}),
        ("/api/comparison/runs", {"datasets": [HUGE]}),
        ("/api/procedures/end-policies", {"households": [1, HUGE], "reason": "文件"}),
        ("/api/monitoring/events", {"household": HUGE, "kind": "illness", "date": today}),
    ]:
        response = county.post(path, body, content_type=JSON)
        assert response.status_code == 422, (path, response.content)
        assert str(MAX_INT) in response.json()["detail"]


def test_end_policies_route_answers_post(api_client, users, regions, make_household):
    household = make_household(regions["village_a1"], status=HouseholdStatus.EXITED, exit_year=2019)
    response = api_client(users["county"]).post(
        "/api/procedures/end-policies", {"households": [household.pk], "reason": "县扶贫办文件"}, content_type=JSON)
    assert response.status_code != 405
    assert response.status_code in (200, 422), response.content


@pytest.mark.parametrize("what", ["visits", "measures"])
def test_a_helper_that_does_not_exist_is_a_field_error(api_client, users, regions, make_household, what):
    household = make_household(regions["village_a1"])
    body = {"helper": 987654321, "date": dt.date.today().isoformat(), "content": "入户走访"}
    if what == "measures":
        body.update(kind="industry", content="发放鸡苗")
    response = api_client(users["county"]).post(f"/api/assistance/households/{household.pk}/{what}", body,
                                                content_type=JSON)
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {"helper": "没有这个帮扶责任人"}


@pytest.mark.parametrize("condition", ["per_capita_income < 'abc", 'members_on_dibao > 0 AND "x', "1 /* note"])
def test_an_untokenisable_rule_condition_is_a_validation_error(api_client, users, regions, condition):
    with pytest.raises(ConditionError, match="引号或注释"):
        validate(condition)
    response = api_client(users["admin"]).post(
        "/api/monitoring/rules", {"code": "X8", "name": "坏条件", "condition": condition,
                                  "region": regions["county"].code}, content_type=JSON)
    assert response.status_code == 422, response.content
    assert "引号或注释" in response.json()["errors"]["condition"]


def _upload(client, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/api/comparison/datasets", {"kind": "death", "file": SimpleUploadedFile(name, content)})


def test_an_undecodable_csv_upload_is_refused_in_chinese(api_client, users):
    response = _upload(api_client(users["county"]), "死亡.csv", bytes(range(128, 256)) * 4)
    assert response.status_code == 422, response.content
    assert "编码" in response.json()["detail"]


def test_a_gb18030_csv_upload_is_read(api_client, users):
    from conftest import new_id

    content = f"姓名,身份证号,死亡日期\n张老汉,{new_id()},2024-02-01\n".encode("gb18030")
    response = _upload(api_client(users["county"]), "死亡.csv", content)
    assert response.status_code == 201, response.content
    assert response.json()["rows_stored"] == 1


def test_patching_a_household_village_to_null_is_refused(api_client, users, regions, make_household):
    household = make_household(regions["village_a1"])
    response = api_client(users["county"]).patch(f"/api/households/{household.pk}", {"village": None},
                                                 content_type=JSON)
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {"village": "不能为空"}
    household.refresh_from_db()
    assert household.village_id == regions["village_a1"].code


def test_a_patch_racing_a_delete_answers_404(api_client, users, regions, make_household):
    """The household vanishes between the API's lookup and the service reading it again to save: another
    request's DELETE (the real service) is played right before that second read."""
    from fupin.core.channels import Channel
    from fupin.registry.services import delete_household

    household = make_household(regions["village_a1"])
    reads = []

    def delete_before_second_read(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT") and 'FROM "registry_household"' in sql:
            reads.append(sql)
            if len(reads) == 2:
                delete_household(Household.objects.get(pk=household.pk), acting_user=users["county"],
                                 channel=Channel.API)
        return execute(sql, params, many, context)

    county = api_client(users["county"])
    with connection.execute_wrapper(delete_before_second_read):
        response = county.patch(f"/api/households/{household.pk}", {"phone": "13800000000"}, content_type=JSON)
    # (The delete, played inside this request's transaction, is rolled back with it.)
    assert len(reads) >= 2
    assert response.status_code == 404, response.content
    assert response.json()["detail"] == "记录不存在或不在当前账号的管辖范围内"


def test_malformed_json_is_a_documented_400(api_client, users):
    response = api_client(users["county"]).post("/api/monitoring/events", "{not json", content_type=JSON)
    assert response.status_code == 400
    assert "无法解析请求体" in response.json()["detail"]


def test_every_operation_documents_the_errors_it_can_answer():
    for path, operations in _openapi()["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            expected = {"400", "403", "404", "422"} | ({"401"} if operation.get("security") else set())
            assert expected <= codes, (method, path, expected - codes)


@pytest.mark.parametrize("body, field", [
    ({"date": 0}, "date"),
    ({"date": False}, "date"),
    ({"latitude": False, "longitude": 120}, "latitude"),
])
def test_false_and_zero_are_not_a_date_or_a_number(api_client, users, regions, make_household, body, field):
    household = make_household(regions["village_a1"])
    payload = {"helper": 1, "date": dt.date.today().isoformat(), "content": "入户走访", **body}
    response = api_client(users["county"]).post(f"/api/assistance/households/{household.pk}/visits", payload,
                                                content_type=JSON)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]


def test_false_is_not_a_household_size(api_client, users, regions, make_household):
    household = make_household(regions["village_a1"])
    response = api_client(users["county"]).put(
        f"/api/households/{household.pk}/income-accounts/2024",
        {"household_size": False, "wage_income": "1000"}, content_type=JSON)
    assert response.status_code == 422, response.content
    assert response.json()["errors"]["household_size"] == "应为整数"


def _models(annotation, seen: set):
    """Every pydantic model and enum an annotation reaches (through lists, unions and nested fields), ninja's
    own wrappers of an operation's parameters and responses included."""
    import enum
    import typing

    for arg in typing.get_args(annotation):
        _models(arg, seen)
    if isinstance(annotation, type) and annotation not in seen:
        if issubclass(annotation, BaseModel):
            seen.add(annotation)
            for field in annotation.model_fields.values():
                _models(field.annotation, seen)
        elif issubclass(annotation, enum.Enum):
            seen.add(annotation)


def test_no_two_schemas_share_a_name_in_the_openapi_document():
    """The document keys component schemas by class name: two classes of one name make one of them
    document the other's operations (the comparison run body shown for monitoring runs)."""
    seen: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    _models(model, seen)
    by_name: dict = {}
    for model in seen:
        if model.__module__.startswith("fupin."):  # not ninja's per-operation wrappers
            by_name.setdefault(model.__name__, set()).add(model)
    assert {name: models for name, models in by_name.items() if len(models) > 1} == {}
    body = _openapi()["paths"]["/api/monitoring/runs"]["post"]["requestBody"]["content"][JSON]["schema"]["$ref"]
    assert body.endswith("/MonitoringRunIn")


def test_a_nul_character_in_a_text_parameter_is_not_a_server_error(api_client, users):
    response = api_client(users["county"]).get("/api/regions", {"q": "张\x00庄"})
    if connection.vendor == "postgresql":  # PostgreSQL cannot hold NUL; SQLite simply finds nothing
        assert response.status_code == 422, response.content
        assert "空字符" in response.json()["detail"]
    else:
        assert response.status_code == 200
