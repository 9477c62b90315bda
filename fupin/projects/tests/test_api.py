import pytest

from fupin.projects.models import Project, ProjectStatus


@pytest.fixture
def payload(regions):
    return {"year": 2026, "region": regions["village_a1"].code, "name": "小型水利", "kind": "infrastructure",
            "planned_amount": "120000.00", "implementing_unit": "县水利局", "scale": "渠道1.5公里",
            "benefit_mechanism": "灌溉受益", "expected_households": 20, "expected_people": 60}


def test_create_update_list_detail(api_client, users, payload):
    client = api_client(users["county"])
    response = client.post("/api/projects", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind_label"] == "基础设施" and body["status"] == "declared" and body["steps"] == []
    pk = body["id"]
    response = client.put(f"/api/projects/{pk}", {**payload, "name": "小型水利（调整）"},
                          content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "小型水利（调整）"
    listed = client.get("/api/projects", {"kind": "infrastructure", "year": 2026}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == pk
    assert client.get("/api/projects", {"year": 1}).status_code == 422


def test_validation_and_scope(api_client, users, payload, regions):
    client = api_client(users["village_b1"])
    assert client.post("/api/projects", payload, content_type="application/json").status_code == 404
    client = api_client(users["county"])
    response = client.post("/api/projects", {**payload, "expected_poor_households": 50},
                           content_type="application/json")
    assert response.status_code == 422 and "expected_poor_households" in response.json()["errors"]


def test_finance_reads_but_writes_are_403(api_client, finance, make_project, payload):
    project = make_project()
    client = api_client(finance)
    assert client.get(f"/api/projects/{project.pk}").status_code == 200
    assert client.post("/api/projects", payload, content_type="application/json").status_code == 403
    response = client.post(f"/api/projects/{project.pk}/transitions", {"action": "remove", "comment": "x"},
                           content_type="application/json")
    assert response.status_code == 403


def test_transitions_and_beneficiaries(api_client, users, make_project, make_household, regions, approval):
    project = make_project()
    village = api_client(users["village_a1"])
    response = village.post(f"/api/projects/{project.pk}/transitions", {"action": "declare"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["current_step"] == "村申报"
    response = village.post(f"/api/projects/{project.pk}/transitions", {"action": "return", "comment": ""},
                            content_type="application/json")
    assert response.status_code == 422
    household = make_household(regions["village_a1"])
    other = make_household(regions["village_b1"])
    response = village.post(f"/api/projects/{project.pk}/beneficiaries", {"households": [household.pk]},
                            content_type="application/json")
    assert response.json() == {"added": 1}
    response = village.post(f"/api/projects/{project.pk}/beneficiaries", {"households": [other.pk]},
                            content_type="application/json")
    assert response.status_code == 422
    listed = village.get(f"/api/projects/{project.pk}/beneficiaries").json()
    assert listed["items"][0]["household_number"] == household.number
    detail = village.get(f"/api/projects/{project.pk}").json()
    assert detail["beneficiary_counts"]["households"] == 1
    item = listed["items"][0]["id"]
    assert village.delete(f"/api/projects/{project.pk}/beneficiaries/{item}").status_code == 204


def test_hand_over_through_api(api_client, users, make_project, approval):
    project = approval.approve(make_project())
    county = api_client(users["county"])
    for body in ({"action": "start"}, {"action": "milestone", "comment": "完工", "progress": 100},
                 {"action": "accept", "team": "验收组", "result": "passed"}, {"action": "hand_over"}):
        response = county.post(f"/api/projects/{project.pk}/transitions", body, content_type="application/json")
        assert response.status_code == 200, response.content
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.HANDED_OVER
