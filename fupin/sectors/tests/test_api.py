import datetime as dt
import json

import pytest

from fupin.sectors.models import YuluApplication

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_yulu_through_the_api(api_client, users, family, member_of):
    h = family(members=[("学生", dt.date(YEAR - 18, 1, 1), {"schooling": "09"})])
    student = member_of(h, "学生")
    village, county = api_client(users["village_a1"]), api_client(users["county"])
    created = _post(village, "/api/sectors/yulu", {"member_id_number": student.id_number, "fields": {
        "year": YEAR, "stage": "higher_vocational", "school": "职业学院", "applied_on": f"{YEAR}-09-02"}})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["fields"]["status"] == "applied" and student.id_number not in created.content.decode()
    pk = body["id"]
    approved = _post(county, f"/api/sectors/yulu/{pk}/approve", {"approved": True, "on": f"{YEAR}-09-20"})
    assert approved.status_code == 200 and approved.json()["fields"]["amount"] == "5000.00"
    paid = _post(county, f"/api/sectors/yulu/{pk}/pay", {"on": f"{YEAR}-10-01"})
    assert paid.json()["fields"]["status"] == "paid"
    listed = county.get(f"/api/sectors/yulu?year={YEAR}").json()
    assert listed["count"] == 1
    # Another township's village sees nothing of it.
    other = api_client(users["village_b1"])
    assert other.get(f"/api/sectors/yulu/{pk}").status_code == 404
    assert other.get("/api/sectors/yulu").json()["count"] == 0
    assert YuluApplication.objects.get().paid_by == users["county"]


def test_create_errors_are_422(api_client, users, family, member_of):
    h = family()
    client = api_client(users["county"])
    response = _post(client, "/api/sectors/bills", {"member_id_number": member_of(h, "张三").id_number, "fields": {
        "hospital": "县医院", "discharged_on": f"{YEAR}-01-05", "total_cost": "100", "in_policy_cost": "200",
        "reimbursed": "0", "self_pay": "0"}})
    assert response.status_code == 422 and "in_policy_cost" in response.json()["errors"]
    response = _post(client, "/api/sectors/water", {"household_number": "nope", "fields": {}})
    assert response.status_code == 422
    response = _post(client, "/api/sectors/water", {"household_number": h.number, "fields": {"bogus": 1}})
    assert response.status_code == 422
    created = _post(client, "/api/sectors/water", {"household_number": h.number, "fields": {
        "checked_on": f"{YEAR}-06-01", "litres": "30", "minutes": "15", "rate": "92", "quality_ok": True}})
    assert created.status_code == 201 and created.json()["fields"]["result"] == "basic"
    assert client.get(f"/api/sectors/water/{created.json()['id']}").status_code == 200
    assert api_client(users["village_b1"]).get(f"/api/sectors/water/{created.json()['id']}").status_code == 404
    policies = client.get(f"/api/sectors/households/{h.pk}/policies").json()
    assert [p["kind"] for p in policies] == ["water"]


def test_gaps_and_run(api_client, users, family):
    family(members=[("低保甲", dt.date(1970, 1, 1), {"on_dibao": True})])
    client = api_client(users["county"])
    run = _post(client, "/api/sectors/coverage/runs", {"year": YEAR})
    assert run.status_code == 201 and run.json()["summary"]["rules"]["pension_not_paid"] == 1
    gaps = client.get(f"/api/sectors/gaps?year={YEAR}&rule=pension_not_paid").json()
    assert gaps["count"] == 1 and "*" in gaps["items"][0]["member_id_number"]
    assert _post(api_client(users["village_a1"]), "/api/sectors/coverage/runs", {"year": YEAR}).status_code == 403


def test_cli_json(users, family, member_of):
    from io import StringIO

    from django.core.management import call_command

    h = family(members=[("低保甲", dt.date(1970, 1, 1), {"on_dibao": True})])
    out = StringIO()
    call_command("sectors_coverage", "--year", str(YEAR), "--json", stdout=out)
    gaps = json.loads(out.getvalue())
    mine = [g for g in gaps if g["rule"] == "pension_not_paid"]
    assert mine == [{"rule": "pension_not_paid", "village_code": h.village_id, "household_number": h.number,
                     "member_id_number": mine[0]["member_id_number"],
                     "figures": {"on_dibao": 1, "on_tekun": 0, "pension_age": 1, "pension_paid": 0}}]
    assert member_of(h, "低保甲").id_number not in out.getvalue() and "*" in mine[0]["member_id_number"]
    text = StringIO()
    call_command("sectors_coverage", "--year", str(YEAR), stdout=text)
    assert "低保特困人员未代缴养老保险（pension_not_paid）：1" in text.getvalue()
