"""Loading department files: header detection, column mapping, the validation report, atomicity, visibility."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import new_id
from fupin.accounts.models import Role, User
from fupin.audit.models import AuditLog
from fupin.comparison import access
from fupin.comparison.actions import datasets
from fupin.comparison.actions.datasets import delete_dataset, load_dataset, purge_expired
from fupin.comparison.models import Dataset, DatasetKind, DatasetRow, RememberedMapping, Suspect
from fupin.core.channels import Channel

from .conftest import write_csv, write_xlsx


def _load(path, kind="death", user=None, **options):
    return load_dataset(path, kind=DatasetKind.objects.get(code=kind), acting_user=user,
                        channel=Channel.CLI, **options)


def test_report_counts_normalised_rejected_and_duplicate_ids(tmp_path, users):
    good, lower_x = new_id(), None
    while not lower_x or not lower_x.endswith("X"):
        lower_x = new_id()
    old = new_id(dt.date(1950, 1, 2))
    rows = [
        ["甲", good, "2024-01-01"],
        ["乙", lower_x.lower(), "2024-01-02"],
        ["丙", old[:6] + old[8:17], "2024-01-03"],
        ["丁", good, "2024-01-04"],  # duplicate of row 2
        ["戊", "4.10481E+17", "2024-01-05"],
        ["己", good[:17] + ("0" if good[17] != "0" else "1"), "不详"],
        ["庚", "", "2024-01-06"],
    ]
    path = write_xlsx(tmp_path / "death.xlsx", ["序号", "姓名", "身份证号码", "死亡日期"],
                      [[str(i), *row] for i, row in enumerate(rows, 1)], title="2024年1月死亡人员名单")
    dataset = _load(path, user=users["county"], title="一月死亡")
    report = dataset.report
    assert report["header_row"] == 2  # the title line above the header is skipped
    assert report["columns"] == {"name": "姓名", "id_number": "身份证号码", "death_date": "死亡日期"}
    assert (dataset.rows_read, dataset.rows_stored, dataset.ids_rejected) == (7, 4, 3)
    assert dataset.ids_changed == 2  # lower-case x and the 15-digit number
    assert dataset.duplicates == 1 and report["duplicate_samples"][0]["rows"] == [3, 6]
    reasons = {r["row"]: r["reason"] for r in report["rejected_samples"]}
    assert "科学计数法" in reasons[7] and "校验位错误" in reasons[8] and reasons[9] == "证件号码为空"
    stored = dict(DatasetRow.objects.filter(dataset=dataset).values_list("row_no", "id_number"))
    assert stored == {3: good, 4: lower_x, 5: old, 6: good}
    assert DatasetRow.objects.get(dataset=dataset, row_no=3).data == {"death_date": "2024-01-01"}
    assert DatasetRow.objects.get(dataset=dataset, row_no=3).name == "甲"
    assert report["field_warnings"] == {}  # row 8's unreadable date belongs to a rejected row
    assert dataset.error_file and (settings.MEDIA_ROOT / dataset.error_file).is_file()
    assert dataset.region_code == users["county"].region_id and dataset.retention_until > dt.date.today()
    log = AuditLog.objects.get(object_type="dataset", object_id=str(dataset.pk))
    assert log.action == "create" and log.region_code == dataset.region_code


def test_number_cells_in_the_id_column_are_rejected_by_name(tmp_path, users):
    number = new_id()
    path = write_xlsx(tmp_path / "a.xlsx", ["姓名", "身份证号"], [["甲", float(number[:15] + "000")], ["乙", number]],
                      numbers=(1,))
    dataset = _load(path, user=users["county"])
    assert dataset.rows_stored == 1
    assert dataset.report["rejected_samples"][0]["reason"].startswith("证件号码被 Excel 存成了数字")


def test_gbk_csv_with_unmapped_typed_values(tmp_path, users):
    number = new_id()
    path = write_csv(tmp_path / "bills.csv", ["患者姓名", "公民身份号码", "入院日期", "个人自付"],
                     [["甲", number, "2024年3月5日", "1,200.50元"], ["乙", new_id(), "三月", "很多"]], encoding="gb18030")
    dataset = _load(path, kind="hospital_bill", user=users["county"])
    assert dataset.rows_stored == 2
    row = DatasetRow.objects.get(dataset=dataset, id_number=number)
    assert row.data["admission_date"] == "2024-03-05" and row.data["out_of_pocket"] == 1200.5
    assert set(dataset.report["field_warnings"]) == {"入院日期", "个人自付（元）"}


def test_mapping_is_remembered_for_the_kind(tmp_path, users):
    header = ["名字", "号码", "没了的日子"]
    path = write_xlsx(tmp_path / "a.xlsx", header, [["甲", new_id(), "2024-01-01"]])
    with pytest.raises(ValidationError, match="找不到“证件号码”列"):
        _load(path, user=users["county"])
    _load(path, user=users["county"], mapping={"id_number": "号码", "death_date": 2, "name": "名字"})
    again = _load(write_xlsx(tmp_path / "b.xlsx", header, [["乙", new_id(), "2024-02-01"]]), user=users["county"])
    assert again.report["columns"] == {"name": "名字", "id_number": "号码", "death_date": "没了的日子"}


def test_bad_mappings_are_named(tmp_path, users):
    path = write_xlsx(tmp_path / "a.xlsx", ["姓名", "身份证号"], [["甲", new_id()]])
    with pytest.raises(ValidationError) as caught:
        _load(path, user=users["county"], mapping={"death_date": "死亡日期", "nonsense": "姓名", "name": 1, "id_number": "身份证号"})
    messages = " ".join(caught.value.messages)
    assert "没有“死亡日期”这一列" in messages and "“nonsense”不是" in messages and "不能同时对应" in messages


def test_a_file_without_one_valid_id_is_refused(tmp_path, users):
    path = write_xlsx(tmp_path / "a.xlsx", ["姓名", "身份证号"], [["甲", "123"], ["乙", "4.10481E+17"]])
    with pytest.raises(ValidationError, match="没有一个有效的证件号码"):
        _load(path, user=users["county"])
    assert not Dataset.objects.exists()


def test_a_failing_upload_leaves_nothing(tmp_path, users, monkeypatch):
    path = write_xlsx(tmp_path / "a.xlsx", ["姓名", "身份证号"], [["甲", new_id()] for _ in range(50)])

    def broken_audit(*args, **kwargs):
        raise RuntimeError("disk full")

    # The rows are already in when the audit write fails: the whole upload must roll back.
    monkeypatch.setattr(datasets, "record_change", broken_audit)
    with pytest.raises(RuntimeError):
        _load(path, user=users["county"])
    assert not Dataset.objects.exists() and not DatasetRow.objects.exists()
    assert not RememberedMapping.objects.exists()


def test_who_may_upload_and_who_sees_which_data_sets(tmp_path, users):
    path = write_xlsx(tmp_path / "a.xlsx", ["姓名", "身份证号"], [["甲", new_id()]])
    with pytest.raises(PermissionDenied):
        _load(path, user=users["village_a1"])
    with pytest.raises(PermissionDenied):
        _load(path, user=users["leader"])
    users["department"].department = "民政"
    users["department"].save()
    other = User.objects.create_user("yibao", password="x", role=Role.DEPARTMENT, region=users["county"].region,
                                     department="医保")
    civil = _load(path, kind="dibao", user=users["department"], department="医保")
    county = _load(path, kind="hospital_bill", user=users["county"])
    assert civil.department == "民政"  # a department uploads as itself, whatever the form says
    with pytest.raises(PermissionDenied):  # 住院费用 is 医保's
        _load(path, kind="hospital_bill", user=users["department"])
    # Each department sees the data sets of its own kinds, whoever uploaded them.
    assert set(access.datasets_visible_to(users["department"])) == {civil}
    assert set(access.datasets_visible_to(other)) == {county}
    assert set(access.datasets_visible_to(users["county"])) == {civil, county}
    assert set(access.datasets_visible_to(users["leader"])) == {civil, county}
    assert not access.datasets_visible_to(users["town_a"]).exists()


def test_deletion_waits_for_the_retention_period(tmp_path, users):
    path = write_xlsx(tmp_path / "a.xlsx", ["姓名", "身份证号"], [["甲", new_id()]])
    dataset = _load(path, user=users["county"])
    with pytest.raises(PermissionDenied, match="期满前只有系统管理员"):
        delete_dataset(dataset, acting_user=users["county"], channel=Channel.PAGE)
    with pytest.raises(ValidationError):
        delete_dataset(dataset, acting_user=users["admin"], channel=Channel.PAGE)
    Dataset.objects.filter(pk=dataset.pk).update(retention_until=dt.date.today())
    assert purge_expired(channel=Channel.SYSTEM) == [dataset.pk]
    assert not DatasetRow.objects.exists() and not Suspect.objects.exists()
    log = AuditLog.objects.get(object_type="dataset", object_id=str(dataset.pk), action="delete")
    assert log.note == "保存期满自动删除"
