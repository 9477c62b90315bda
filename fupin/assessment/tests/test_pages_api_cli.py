import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from python_calamine import CalamineWorkbook

from fupin.assessment.models import AnswerSheet, Assessment, SampleHousehold


@pytest.fixture
def client_for(db):
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def _survey_post(sample, key, **answers):
    data = {"surveyed_on": "2019-12-01", "respondent": "户主", "client_uuid": str(key),
            "A1": "是", "A2": "是", "A3": "是", "B3": "否", "C1": "认可", "C2": "满意", "C4": "满意"}
    if sample.stratum in ("ordinary", "monitored"):
        data["B1"] = "否"
    if sample.stratum in ("exited", "monitored"):
        data["B2"] = "否"
    if sample.stratum == "exited":
        data["C3"] = "认可"
    data.update(answers)
    return data


def test_pages_with_pinned_queries(client_for, users, assessment, answer, django_assert_max_num_queries):
    for s in SampleHousehold.objects.filter(assessment=assessment)[:12]:
        answer(s)
    client = client_for(users["county"])
    with django_assert_max_num_queries(12):
        page = client.get("/assessment/")
    assert page.status_code == 200 and assessment.name in page.content.decode()
    with django_assert_max_num_queries(16):
        detail = client.get(f"/assessment/assessments/{assessment.pk}/")
    assert str(assessment.seed) in detail.content.decode() and "重新抽样" in detail.content.decode()
    with django_assert_max_num_queries(14):
        samples = client.get(f"/assessment/samples/?assessment={assessment.pk}&stratum=exited")
    body = samples.content.decode()
    assert samples.status_code == 200 and "已脱贫" in body and "一般农户</td>" not in body
    with django_assert_max_num_queries(16):
        results = client.get(f"/assessment/assessments/{assessment.pk}/results/")
    body = results.content.decode()
    assert "漏评率" in body and "达标" in body and "门槛 ≥ 90%" in body
    with django_assert_max_num_queries(12):
        questions = client.get(f"/assessment/assessments/{assessment.pk}/questions/")
    assert "应识别未识别" in questions.content.decode()
    with django_assert_max_num_queries(14):
        mine = client.get(f"/assessment/mine/?assessment={assessment.pk}")
    assert "offline_queue.js" in mine.content.decode()


def test_sample_and_results_export(client_for, users, assessment, answer):
    answer(SampleHousehold.objects.filter(assessment=assessment).first())
    client = client_for(users["county"])
    response = client.get(f"/assessment/samples/export/?assessment={assessment.pk}")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))).get_sheet_by_index(0)
    data = rows.to_python()
    assert data[0][:3] == ["乡镇", "村", "村层"]
    assert len(data) == 1 + SampleHousehold.objects.filter(assessment=assessment).count()
    assert str(assessment.seed) in {str(v) for v in data[1]}
    response = client.get(f"/assessment/assessments/{assessment.pk}/results/export/")
    data = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))).get_sheet_by_index(0)
    table = data.to_python()
    assert table[0][0] == "区划" and "漏评率分子" in table[0] and table[-1][0] == assessment.region.name


def test_survey_sync_is_idempotent_and_refuses_a_second_sheet(client_for, users, assessment):
    sample = SampleHousehold.objects.filter(assessment=assessment, stratum="exited").first()
    client = client_for(users["county"])
    key = uuid.uuid4()
    url = f"/assessment/samples/{sample.pk}/sync/"
    first = client.post(url, _survey_post(sample, key, B2="是"))
    again = client.post(url, _survey_post(sample, key, B2="是"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["sheet"] == again.json()["sheet"]
    other = client.post(url, _survey_post(sample, uuid.uuid4()))
    assert other.status_code == 400 and "不能重复录入" in other.json()["error"]
    assert AnswerSheet.objects.filter(sample=sample).count() == 1
    bad = client.post(f"/assessment/samples/{SampleHousehold.objects.exclude(pk=sample.pk).first().pk}/sync/",
                      {"surveyed_on": "2019-12-01", "client_uuid": str(uuid.uuid4())})
    assert bad.status_code == 400 and "必" in bad.json()["error"]
    page = client.get(f"/assessment/samples/{sample.pk}/survey/")
    assert "已于" in page.content.decode()


def test_scope_of_results_and_samples(client_for, users, regions, assessment):
    town_b = SampleHousehold.objects.filter(assessment=assessment, township_code=regions["town_b"].code).first()
    client = client_for(users["town_a"])
    assert client.get(f"/assessment/samples/{town_b.pk}/survey/").status_code == 404
    results = client.get(f"/assessment/assessments/{assessment.pk}/results/").content.decode()
    assert regions["town_a"].name in results and regions["town_b"].name not in results
    assert client.post(f"/assessment/assessments/{assessment.pk}/draw/", {"reason": "x"}).status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).draws == 1  # refused: only county staff draw
    assert client_for(users["department"]).get("/assessment/").status_code == 403
    # Another county's assessment is not found.
    other = Client()
    other.force_login(users["village_b1"])
    assert other.get(f"/assessment/assessments/{assessment.pk}/").status_code == 200  # its county's assessment
    mine = other.get(f"/assessment/samples/?assessment={assessment.pk}").content.decode()
    assert regions["village_a1"].name not in mine


def test_api(api_client, users, regions, register):
    api = api_client(users["county"])
    created = api.post("/api/assessment/assessments", {
        "year": 2019, "region": regions["county"].code, "name": "接口评估", "seed": 42, "poor_villages": 1,
        "non_poor_villages": 1, "exited_households": 2, "poor_households": 1, "monitored_households": 1,
        "ordinary_households": 2}, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    draw = api.post(f"/api/assessment/assessments/{pk}/draw", {}, content_type="application/json")
    assert draw.status_code == 200 and draw.json()["households"] == 4 * 6 and draw.json()["seed"] == 42
    refused = api.post(f"/api/assessment/assessments/{pk}/draw", {}, content_type="application/json")
    assert refused.status_code == 422 and "原因" in refused.json()["detail"]
    samples = api.get(f"/api/assessment/assessments/{pk}/samples?stratum=exited").json()
    assert samples["count"] == 8 and all(s["stratum"] == "exited" for s in samples["items"])
    questions = api.get(f"/api/assessment/assessments/{pk}/questions").json()
    assert {q["code"] for q in questions} >= {"B1", "B2", "C1"}
    sample = samples["items"][0]
    body = {"client_uuid": str(uuid.uuid4()), "surveyed_on": "2019-12-01", "answers": {
        "A1": "是", "A2": "是", "A3": "是", "B2": "是", "B3": "否", "C1": "认可", "C2": "满意", "C3": "认可",
        "C4": "满意"}}
    url = f"/api/assessment/assessment-samples/{sample['id']}/answers"
    first = api.post(url, body, content_type="application/json")
    again = api.post(url, body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    results = api.get(f"/api/assessment/assessments/{pk}/results").json()
    assert results[-1]["is_total"] and results[-1]["rates"]["wrong_exit_rate"]["numerator"] == sample["people"]
    findings = api.get(f"/api/assessment/assessments/{pk}/findings").json()
    assert [f["kind_label"] for f in findings] == ["错退"]
    outsider = api_client(users["village_b1"])
    if sample["village"] != users["village_b1"].region_id:
        assert outsider.post(url, body, content_type="application/json").status_code == 404


def test_cli(assessment, answer, regions, capsys):
    answer(SampleHousehold.objects.filter(assessment=assessment, stratum="ordinary").first(), B1="是")
    call_command("assessment_sample", "--assessment", str(assessment.pk), "--json")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == SampleHousehold.objects.filter(assessment=assessment).count()
    assert {line["seed"] for line in lines} == {assessment.seed}
    call_command("assessment_rates", "--assessment", str(assessment.pk), "--json")
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["region"] for r in rows] == [regions["town_a"].code, regions["town_b"].code, assessment.region_id]
    assert rows[-1]["is_total"] and rows[-1]["rates"]["missed_rate"]["numerator"] == 5
    with pytest.raises(CommandError, match="不存在"):
        call_command("assessment_rates", "--assessment", "999999")
