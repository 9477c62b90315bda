"""The scripted, nightly path: fupin dataset load / compare run / compare suspects with JSON output."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import new_id
from fupin.comparison.models import Dataset

from .conftest import write_csv


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_run_and_list_suspects_as_json(tmp_path, make_household, regions):
    dead = new_id()
    household = make_household(regions["village_b1"], head_name="王老汉", head_id=dead)
    path = write_csv(tmp_path / "死亡.csv", ["序号", "死者姓名", "公民身份号码", "死亡时间"],
                     [["1", "王老汉", dead.lower()[:6] + " " + dead.lower()[6:], "2024-02-03"],
                      ["2", "错号", "4.10481E+17", "2024-02-04"]])
    loaded = json.loads(run("dataset_load", str(path), "--kind", "death", "--json"))
    assert loaded["dataset_id"] == Dataset.objects.get().pk
    assert (loaded["rows_read"], loaded["rows_stored"], loaded["ids_rejected"], loaded["ids_changed"]) == (2, 1, 1, 1)
    assert loaded["rejected"][0]["row"] == 3 and "科学计数法" in loaded["rejected"][0]["reason"]
    assert loaded["columns"]["death_date"] == "死亡时间"

    result = json.loads(run("compare_run", "--dataset", str(loaded["dataset_id"]), "--json"))
    assert result["status"] == "succeeded" and result["rules"]["deceased_registered"]["new"] == 1

    lines = run("compare_suspects", "--rule", "deceased_registered", "--json").splitlines()
    assert len(lines) == 1
    suspect = json.loads(lines[0])
    assert suspect | {"rule": "deceased_registered", "id_number": dead, "household_number": household.number,
                      "village_code": "410481101201", "status": "open"} == suspect
    assert suspect["evidence"]["fields"]["死亡日期"] == "2024-02-03"


def test_plain_output_and_errors(tmp_path, make_household, regions, users):
    number = new_id()
    make_household(regions["village_a1"], head_id=number)
    path = write_csv(tmp_path / "参保.csv", ["姓名", "身份证号", "参保状态"], [["外人", new_id(), "正常"]])
    text = run("dataset_load", str(path), "--kind", "medical_insurance", "--title", "2024年参保名单")
    assert text.startswith("数据集编号：") and "读取 1 行" in text
    dataset = Dataset.objects.get()
    assert dataset.title == "2024年参保名单"
    text = run("compare_run", "--latest", "medical_insurance", "--region", "410481100000",
               "--user", users["county"].username)
    assert "not_insured（未参加基本医疗保险）：命中 1，新增 1" in text
    assert number in run("compare_suspects", "--status", "open")
    with pytest.raises(CommandError, match="没有数据类型 deaths"):
        run("dataset_load", str(path), "--kind", "deaths")
    with pytest.raises(CommandError, match="数据集不存在"):
        run("compare_run", "--dataset", "999")
    with pytest.raises(CommandError, match="没有 death 类型的数据集"):
        run("compare_run", "--latest", "death")
    with pytest.raises(CommandError, match="没有数据类型|权限"):
        run("dataset_load", str(path), "--kind", "death", "--user", users["village_a1"].username)


def test_kinds_and_rules_are_listed(db):
    kinds = [json.loads(line) for line in run("dataset_kinds", "--json").splitlines()]
    death = next(k for k in kinds if k["code"] == "death")
    assert death["rules"] == ["deceased_registered"] and "死亡日期" in [f["label"] for f in death["fields"]]
    assert "RLIKE" in run("compare_rules", "vehicle_owner", "--dialect", "spark")
