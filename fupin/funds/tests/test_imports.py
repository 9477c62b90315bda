import pytest

from conftest import new_id
from fupin.audit.models import AuditLog
from fupin.core.channels import Channel
from fupin.funds.imports import create_batch, load_disbursements
from fupin.funds.models import BatchStatus, Disbursement


def _row(allocation, village, amount="1200.50", id_number=None, **changes):
    row = {"凭证号": "V001", "收款人": "张三", "身份证号": id_number or new_id(), "银行卡号": "6228480402564890018",
           "金额": amount, "拨付日期": "2026-03-05", "村代码": village.code,
           "资金分配编号": str(allocation.pk) if allocation else "", "资金文号": ""}
    row.update(changes)
    return list(row.values())


def _load(path, user):
    batch = create_batch(path.name, acting_user=user, channel=Channel.CLI)
    return batch, load_disbursements(path, batch, acting_user=user, channel=Channel.CLI)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_good_file_loads_every_row(suffix, allocations, users, regions, bank_file):
    rows = [_row(allocations["a1"], regions["village_a1"]) for _ in range(3)]
    rows.append(_row(None, regions["village_b1"], amount="1,000元", 资金文号="豫财农(2026)12号", 拨付日期="2026年3月6日"))
    batch, report = _load(bank_file(rows, suffix), users["county"])
    batch.refresh_from_db()
    assert report["error_count"] == 0, report["errors"]
    assert batch.status == BatchStatus.LOADED and batch.loaded == 4 == report["loaded"]
    assert str(batch.total_amount) == "4601.50"
    paid = Disbursement.objects.filter(batch=batch).order_by("row_no")
    assert {d.fund_id for d in paid} == {allocations["a1"].fund_id}
    assert paid[0].item == "产业奖补" and paid[0].allocation_id == allocations["a1"].pk
    assert paid[3].allocation_id is None and paid[3].village_id == regions["village_b1"].code
    assert AuditLog.objects.filter(object_type="disbursementbatch", object_id=str(batch.pk),
                                   note__contains="导入拨付明细 4 行").exists()


def test_one_bad_row_writes_nothing_and_names_row_column_reason(allocations, users, regions, bank_file):
    good = _row(allocations["a1"], regions["village_a1"])
    bad_id = _row(allocations["a1"], regions["village_a1"], id_number="410481198005170000")
    bad_amount = _row(allocations["a1"], regions["village_a1"], amount="-5")
    bad_date = _row(allocations["a1"], regions["village_a1"], 拨付日期="明天")
    out_of_allocation = _row(allocations["a1"], regions["village_b1"])
    no_source = _row(None, regions["village_a1"])
    batch, report = _load(bank_file([good, bad_id, bad_amount, bad_date, out_of_allocation, no_source]),
                          users["county"])
    assert Disbursement.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == BatchStatus.REJECTED and batch.error_file
    found = {(e["row"], e["column"]): e["reason"] for e in report["errors"]}
    assert "校验位" in found[(3, "身份证号")]
    assert "大于0" in found[(4, "金额")]
    assert "无法识别" in found[(5, "拨付日期")]
    assert "实施地区" in found[(6, "村代码")]
    assert "资金分配编号或资金文号" in found[(7, "资金分配编号")]
    assert report["error_count"] == 5


def test_a_village_user_cannot_pay_into_another_village(allocations, users, regions, bank_file):
    path = bank_file([_row(allocations["b1"], regions["village_b1"])])
    batch, report = _load(path, users["town_a"])
    reasons = {e["column"]: e["reason"] for e in report["errors"]}
    # neither the village nor the allocation is in scope; neither is said to exist elsewhere
    assert "管辖范围" in reasons["村代码"] and "管辖范围" in reasons["资金分配编号"]
    assert Disbursement.objects.count() == 0


def test_missing_column_is_reported(users, bank_file):
    path = bank_file([["张三", "100"]], header=["收款人", "金额"])
    batch, report = _load(path, users["county"])
    assert {e["column"] for e in report["errors"]} >= {"证件号码", "拨付日期", "村代码"}
    assert all(e["row"] == 1 for e in report["errors"])
