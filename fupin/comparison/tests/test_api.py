"""The comparison API: upload with report, run, list and verify suspects, counts, reverse lists — all scoped."""

import datetime as dt
import io
import json

import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import new_id
from fupin.audit.models import AuditLog
from fupin.comparison.models import Dataset, Suspect

from .conftest import write_xlsx


def _upload(client, path, kind="death", **data):
    with open(path, "rb") as fh:
        return client.post("/api/comparison/datasets", {"kind": kind, "file": fh, **data})


def test_upload_run_list_verify(tmp_path, api_client, users, make_household, regions, django_capture_on_commit_callbacks):
    dead = new_id()
    household = make_household(regions["village_a1"], head_name="张老汉", head_id=dead)
    path = write_xlsx(tmp_path / "d.xlsx", ["死者姓名", "号码", "死亡日期"],
                      [["张老汉", dead, "2024-02-01"], ["错号", "12345", ""]])
    county = api_client(users["county"])
    response = _upload(county, path, mapping=json.dumps({"id_number": "号码"}), title="二月死亡")
    assert response.status_code == 201, response.content
    dataset = response.json()
    assert (dataset["title"], dataset["rows_read"], dataset["rows_stored"], dataset["ids_rejected"]) == ("二月死亡", 2, 1, 1)
    assert dataset["report"]["rejected_samples"][0]["reason"].startswith("证件号码应为18位")

    with django_capture_on_commit_callbacks(execute=True):
        response = county.post("/api/comparison/runs", {"datasets": [dataset["id"]]}, content_type="application/json")
    assert response.status_code == 202, response.content
    run = county.get(f"/api/comparison/runs/{response.json()['id']}").json()
    assert run["status"] == "succeeded" and run["percent"] == 100 and run["results"]["deceased_registered"]["new"] == 1

    village = api_client(users["village_a1"])
    page = village.get("/api/comparison/suspects", {"rule": "deceased_registered"}).json()
    assert page["count"] == 1
    suspect = page["items"][0]
    assert suspect["household_number"] == household.number and suspect["village_code"] == "410481100201"
    assert suspect["id_number"] == dead[:6] + "********" + dead[-4:]
    assert api_client(users["village_b1"]).get(f"/api/comparison/suspects/{suspect['id']}").status_code == 404

    response = village.post(f"/api/comparison/suspects/{suspect['id']}/verify", {"conclusion": "rejected", "reason": "健在"})
    assert response.status_code == 422 and "attachment" in response.json()["errors"]
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    response = village.post(f"/api/comparison/suspects/{suspect['id']}/verify",
                            {"conclusion": "rejected", "reason": "健在，系号码登记错误", "attachment": photo})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert AuditLog.objects.filter(object_type="suspect", channel="api", action="update").count() == 1

    stats = county.get("/api/comparison/stats/townships").json()
    assert stats[0]["name"] == "尹集镇" and stats[0]["rejected"] == 1 and stats[0]["verified_rate"] == 100.0
    assert county.get("/api/comparison/stats/rules").json()[0]["confirmed_rate"] == 0.0


def test_scope_and_roles(tmp_path, api_client, users):
    path = write_xlsx(tmp_path / "d.xlsx", ["姓名", "身份证号"], [["甲", new_id()]])
    assert _upload(api_client(users["village_a1"]), path).status_code == 403
    assert _upload(api_client(users["county"]), path, kind="nope").status_code == 422
    assert not Dataset.objects.exists()
    assert _upload(api_client(users["county"]), path).status_code == 201
    dataset = Dataset.objects.get()
    assert api_client(users["town_a"]).get(f"/api/comparison/datasets/{dataset.pk}").status_code == 404
    response = api_client(users["town_a"]).post("/api/comparison/runs", {"datasets": [dataset.pk]},
                                                 content_type="application/json")
    assert response.status_code == 404
    response = api_client(users["county"]).post("/api/comparison/runs", {"datasets": [dataset.pk], "rules": ["x"]},
                                                content_type="application/json")
    assert response.status_code == 422 and "没有代码为 x 的比对规则" in response.json()["detail"]
    assert api_client(users["county"]).delete(f"/api/comparison/datasets/{dataset.pk}").status_code == 403
    kinds = api_client(users["village_a1"]).get("/api/comparison/kinds").json()
    assert {"death", "dibao", "medical_insurance", "school_enrolment", "vehicle"} <= {k["code"] for k in kinds}
    rules = api_client(users["village_a1"]).get("/api/comparison/rules").json()
    assert next(r for r in rules if r["code"] == "not_insured")["kind"] == "medical_insurance"


def test_background_upload_reports_progress(tmp_path, api_client, users, django_capture_on_commit_callbacks):
    path = write_xlsx(tmp_path / "d.xlsx", ["姓名", "身份证号"], [["甲", new_id()], ["乙", new_id()]])
    client = api_client(users["county"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, path, background="true")
    assert response.status_code == 202
    job = client.get(f"/api/comparison/datasets/jobs/{response.json()['job_id']}").json()
    assert job["status"] == "succeeded" and job["result"]["dataset_id"] == Dataset.objects.get().pk
    assert api_client(users["admin"]).get(f"/api/comparison/datasets/jobs/{job['job_id']}").status_code == 404


def test_reverse_list_has_full_ids_as_text_and_is_logged(api_client, users, make_household, regions):
    today = dt.date.today()
    child = new_id(born=dt.date(today.year - 9, 1, 15))
    household = make_household(regions["village_a1"], head_name="家长",
                               extra=[("孩子", child, "20")])
    make_household(regions["village_b1"], head_name="另一户")
    users["department"].department = "教育"
    users["department"].save()
    client = api_client(users["department"])
    response = client.get("/api/comparison/reverse-lists/school_age_children")
    assert response.status_code == 200
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))) \
        .get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["姓名", "证件号码", "性别", "出生日期"]
    assert rows[1][0] == "孩子" and rows[1][1] == child  # a text cell: every digit kept
    assert len(rows) == 2 and household.number in rows[1]
    assert AuditLog.objects.filter(action="export", channel="api", note__contains="义务教育适龄儿童名单（1 人").exists()
    assert api_client(users["village_a1"]).get("/api/comparison/reverse-lists/school_age_children").status_code == 403


def test_suspect_export_is_scoped(tmp_path, api_client, users, load, compare, make_household, regions):
    mine, other = new_id(), new_id()
    make_household(regions["village_a1"], head_id=mine)
    make_household(regions["village_b1"], head_id=other)
    compare([load("death", ["姓名", "身份证号"], [["甲", mine], ["乙", other]])])
    response = api_client(users["town_a"]).get("/api/comparison/suspects/export")
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))) \
        .get_sheet_by_index(0).to_python()
    assert len(rows) == 2 and rows[1][1] == "张庄村" and rows[1][5] == mine[:6] + "********" + mine[-4:]
    assert Suspect.objects.count() == 2
