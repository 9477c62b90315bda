import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import new_id
from fupin.funds.models import BatchStatus, Disbursement, DisbursementBatch

from .conftest import HEADER


@pytest.fixture
def paid(allocations, regions):
    batch = DisbursementBatch.objects.create(file_name="bank.csv", region=regions["county"])
    return Disbursement.objects.create(batch=batch, allocation=allocations["a1"], fund_id=allocations["a1"].fund_id,
                                       village=regions["village_a1"], payee_name="张三", payee_id_number=new_id(),
                                       bank_account="6228480402564890018", amount=Decimal("800"),
                                       paid_on=dt.date(2026, 3, 1))


def test_api_lists_are_scoped_paginated_and_masked(api_client, users, paid, fund):
    county = api_client(users["county"])
    body = county.get("/api/funds/disbursements", {"page_size": 10}).json()
    assert body["count"] == 1 and body["items"][0]["bank_account"].endswith("0018")
    assert body["items"][0]["payee_id_number"] != paid.payee_id_number and "*" in body["items"][0]["payee_id_number"]
    assert api_client(users["town_b"]).get("/api/funds/disbursements").json()["count"] == 0
    assert api_client(users["town_b"]).get(f"/api/funds/funds/{fund.pk}").status_code == 404
    progress = county.get(f"/api/funds/funds/{fund.pk}/progress").json()
    assert Decimal(progress["disbursed"]) == 800 and progress["share"] == pytest.approx(0.16)
    assert county.get("/api/funds/progress", {"year": 2026}).json()["townships"][0]["label"] == "尹集镇"


def test_api_refuses_over_allocation_and_finance_writes(api_client, users, finance, fund, allocations, regions):
    payload = {"fund": fund.pk, "region": regions["village_a2"].code, "item": "产业", "amount": "500000.01",
               "allocated_on": "2026-03-01"}
    response = api_client(users["county"]).post("/api/funds/allocations", payload, content_type="application/json")
    assert response.status_code == 422 and "超出资金指标" in json.dumps(response.json(), ensure_ascii=False)
    payload["amount"] = "10"
    response = api_client(finance).post("/api/funds/allocations", payload, content_type="application/json")
    assert response.status_code == 403
    assert api_client(finance).get("/api/funds/allocations").json()["count"] == 2


def test_api_upload_runs_the_batch(api_client, users, allocations, regions, bank_file,
                                   django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = bank_file([["V1", "李四", new_id(), "", "50", "2026-03-02", regions["village_a1"].code,
                       str(allocations["a1"].pk), ""]])
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(users["county"]).post(
            "/api/funds/batches", {"file": SimpleUploadedFile("bank.csv", path.read_bytes())})
    assert response.status_code == 202
    batch = api_client(users["county"]).get(f"/api/funds/batches/{response.json()['id']}").json()
    assert batch["status"] == BatchStatus.LOADED and batch["loaded"] == 1


def test_cli_json_success_and_errors(allocations, regions, bank_file, capsys):
    good = ["V1", "李四", new_id(), "", "50", "2026-03-02", regions["village_a1"].code, str(allocations["a1"].pk), ""]
    call_command("funds_load", str(bank_file([good])), "--kind", "disbursement", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["loaded"] == 1 and out["rows"] == 1 and out["errors"] == [] and out["batch"]
    bad = list(good)
    bad[HEADER.index("金额")] = "abc"
    with pytest.raises(CommandError) as exc:
        call_command("funds_load", str(bank_file([good, bad])), "--kind", "disbursement", "--json")
    assert exc.value.returncode == 1
    out = json.loads(capsys.readouterr().out)
    assert out["loaded"] == 0 and out["errors"] == [{"row": 3, "column": "金额", "reason": out["errors"][0]["reason"]}]
    assert "大于0" in out["errors"][0]["reason"]
    assert Disbursement.objects.count() == 1
