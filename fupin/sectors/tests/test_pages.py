import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from fupin.core import excel
from fupin.core.channels import Channel
from fupin.sectors import board, services
from fupin.sectors.choices import Policy
from fupin.sectors.kinds import KINDS
from fupin.sectors.models import Enrolment, HospitalBill, WaterCheck

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(family, member_of, users, regions):
    made = []
    for village in (regions["village_a1"], regions["village_b1"]):
        h = family(village, members=[("病人", dt.date(1960, 1, 1), {"health": "2"})])
        sick = member_of(h, "病人")
        services.save_record(Enrolment(member=sick, policy=Policy.FAMILY_DOCTOR, start=dt.date(YEAR, 1, 1),
                                       provider="一组"), acting_user=users["county"], channel=Channel.PAGE)
        services.save_record(HospitalBill(member=sick, hospital="县医院", discharged_on=dt.date(YEAR, 3, 1),
                                          total_cost=Decimal(5000), in_policy_cost=Decimal(4000),
                                          reimbursed=Decimal(3000), self_pay=Decimal(1000)),
                             acting_user=users["county"], channel=Channel.PAGE)
        services.save_record(WaterCheck(household=h, checked_on=dt.date(YEAR, 5, 1), litres=50, minutes=5, rate=99),
                             acting_user=users["county"], channel=Channel.PAGE)
        made.append(h)
    return made


@pytest.mark.parametrize("kind", [k.code for k in KINDS])
def test_every_list_renders_and_exports(client, users, records, kind):
    client.force_login(users["county"])
    response = client.get(reverse(f"sectors:{kind}_list"))
    assert response.status_code == 200
    export = client.get(reverse(f"sectors:{kind}_export"))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_list_query_count_is_pinned(client, users, records, django_assert_num_queries):
    client.force_login(users["county"])
    url = reverse("sectors:bills_list")
    client.get(url)
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.content.decode().count("查看</a>") == 2


def test_list_masks_and_scopes(client, users, records):
    client.force_login(users["village_a1"])
    body = client.get(reverse("sectors:bills_list")).content.decode()
    assert body.count("查看</a>") == 1
    head = records[0].head_id_number
    assert head not in body


def test_department_sees_only_its_sector(client, users, records, regions):
    from fupin.accounts.models import Role, User

    water = User.objects.create_user("shuili", role=Role.DEPARTMENT, region=regions["county"], department="水利")
    client.force_login(water)
    assert client.get(reverse("sectors:water_list")).content.decode().count("查看</a>") == 2
    assert client.get(reverse("sectors:bills_list")).content.decode().count("查看</a>") == 0
    bill = HospitalBill.objects.first()
    assert client.get(reverse("sectors:bills_detail", args=[bill.pk])).status_code == 404
    client.force_login(users["department"])  # a department outside the sectors (no department named)
    assert client.get(reverse("sectors:index")).status_code == 403


def test_form_from_household_page(client, users, family, member_of):
    h = family(members=[("学生", dt.date(YEAR - 17, 1, 1), {"schooling": "08"})])
    client.force_login(users["village_a1"])
    url = reverse("sectors:yulu_create") + f"?household={h.pk}"
    response = client.post(url, {"member": member_of(h, "学生").pk, "year": YEAR, "stage": "vocational",
                                 "school": "职教中心", "applied_on": f"{YEAR}-09-01", "household_context": h.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    detail = client.get(response["Location"]).content.decode()
    assert "已申请" in detail and "雨露计划申请" in detail


def _workbook(header, rows) -> io.BytesIO:
    return io.BytesIO(excel.to_bytes([excel.Col(h, excel.TEXT) for h in header], rows))


def test_import_errors_name_row_and_column_and_write_nothing(users, family, member_of, tmp_path):
    from fupin.sectors.imports import import_records

    h = family()
    head = member_of(h, "张三").id_number
    path = tmp_path / "bills.xlsx"
    header = ["证件号码", "医疗机构", "出院（结算）日期", "医疗总费用（元）", "政策范围内费用（元）", "报销金额（元）",
              "政策范围内个人自付（元）", "先诊疗后付费"]
    path.write_bytes(_workbook(header, [
        [head, "县医院", f"{YEAR}-03-01", "5000", "4000", "3000", "400", "是"],
        [head, "县医院", "三月", "5000", "4000", "3000", "400", "也许"],
        ["110101199001011237", "县医院", f"{YEAR}-03-01", "5000", "4000", "3000", "400", "否"],
        [head, "县医院", f"{YEAR}-03-01", "5000", "4000", "3000", "4500", "否"],
    ]).getvalue())
    result = import_records(path, "bills", acting_user=users["county"], channel=Channel.IMPORT)
    assert not result.ok
    where = {(e.row, e.column) for e in result.errors}
    assert (3, "出院（结算）日期") in where and (3, "先诊疗后付费") in where
    assert HospitalBill.objects.count() == 0
    # Fix the parse errors: the out-of-scope person and the self-pay above the in-policy cost still refuse it all.
    path.write_bytes(_workbook(header, [
        [head, "县医院", f"{YEAR}-03-01", "5000", "4000", "3000", "400", "是"],
        ["110101199001011237", "县医院", f"{YEAR}-03-01", "5000", "4000", "3000", "400", "否"],
        [head, "县医院", f"{YEAR}-03-01", "5000", "4000", "3000", "4500", "否"],
    ]).getvalue())
    result = import_records(path, "bills", acting_user=users["county"], channel=Channel.IMPORT)
    assert {(e.row, e.column) for e in result.errors} == {(3, "证件号码"), (4, "政策范围内个人自付（元）")}
    assert HospitalBill.objects.count() == 0
    path.write_bytes(_workbook(header, [[head, "县医院", f"{YEAR}-03-01", "5000", "4000", "3000", "500", "是"]]).getvalue())
    result = import_records(path, "bills", acting_user=users["county"], channel=Channel.IMPORT)
    assert result.ok and result.counts["created"] == 1
    bill = HospitalBill.objects.get()
    assert bill.over_cap and bill.pay_later and bill.source == "imported"


def test_missing_column(users, tmp_path):
    from fupin.sectors.imports import import_records

    path = tmp_path / "water.xlsx"
    path.write_bytes(_workbook(["户编号", "核查日期"], [["x", f"{YEAR}-01-01"]]).getvalue())
    result = import_records(path, "water", acting_user=users["county"], channel=Channel.IMPORT)
    assert {e.column for e in result.errors} >= {"水量（升/人·日）", "供水保证率（%）"}


def test_board_and_gap_export(client, users, records, regions):
    client.force_login(users["county"])
    response = client.post(reverse("sectors:coverage_run"), {"year": YEAR})
    assert response.status_code == 302
    board_page = client.get(reverse("sectors:coverage") + f"?year={YEAR}").content.decode()
    assert "尹集镇" in board_page and "枣林镇" in board_page
    gaps = client.get(reverse("sectors:gap_list") + f"?year={YEAR}&rule=chronic_without_cert").content.decode()
    assert gaps.count("慢性病患者未办门诊慢性病证") >= 2
    export = client.get(reverse("sectors:gap_export") + f"?year={YEAR}")
    assert export.status_code == 200
    client.force_login(users["village_a1"])
    counts = board.counts(board.gaps_visible_to(users["village_a1"]), 5)
    assert [row["code"] for row in counts] == [regions["village_a1"].code]


def test_household_panel_and_manual(client, users, records):
    from django.template.loader import render_to_string

    household = records[0]
    client.force_login(users["village_a1"])
    page = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert 'data-testid="sectors-panel"' in page and "家庭医生签约" in page and "县医院" in page
    manual = render_to_string("sectors/_manual_section.html", {"household": household, "user": users["village_a1"]})
    assert "饮水安全核查" in manual and household.head_id_number not in manual
    other = render_to_string("sectors/_manual_section.html", {"household": household, "user": users["village_b1"]})
    assert "<p>无</p>" in other


def test_detail_pages_and_steps(client, users, records, member_of):
    from fupin.sectors.models import DropoutCase

    client.force_login(users["county"])
    for bill in HospitalBill.objects.all():
        page = client.get(reverse("sectors:bills_detail", args=[bill.pk])).content.decode()
        assert "超过自付上限" in page and "操作记录" in page
    h = records[0]
    case = services.save_record(DropoutCase(member=member_of(h, "病人"), opened_on=dt.date(YEAR, 3, 1), reason="厌学"),
                                acting_user=users["county"], channel=Channel.PAGE)
    url = reverse("sectors:dropout_follow_up", args=[case.pk])
    client.post(url, {"date": f"{YEAR}-03-05", "content": "劝返", "status": "returned", "school": ""})
    case.refresh_from_db()
    assert case.status == "persuading"  # 返校 needs the school
    client.post(url, {"date": f"{YEAR}-03-05", "content": "已返校", "status": "returned", "school": "镇中学"})
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("returned", dt.date(YEAR, 3, 5))
    assert "已返校" in client.get(reverse("sectors:dropouts_detail", args=[case.pk])).content.decode()


def test_rule_condition_checked_on_the_page(client, users):
    from fupin.sectors.models import CoverageRule

    client.force_login(users["admin"])
    rule = CoverageRule.objects.get(code="water_unsafe")
    url = reverse("sectors:config_rules_edit", args=[rule.pk])
    data = {"code": rule.code, "name": rule.name, "sector": rule.sector, "subject": rule.subject,
            "condition": "water_result = 'unsafe' OR age > 1", "description": "", "active": "on"}
    response = client.post(url, data)
    assert response.status_code == 200 and "未知字段" in response.content.decode()
    data["condition"] = "water_result IN ('unsafe', 'basic')"
    assert client.post(url, data).status_code == 302
    rule.refresh_from_db()
    assert rule.condition == "water_result IN ('unsafe', 'basic')"
    client.force_login(users["county"])  # a rule is the whole platform's: the county sets its own figures only
    assert client.post(url, data).status_code == 200
    client.force_login(users["village_a1"])
    assert client.post(url, data).status_code == 403


def test_menu_follows_the_sector(users, regions):
    from fupin.accounts.models import Role, User
    from fupin.menu import visible_menu

    health = User.objects.create_user("yibao", role=Role.DEPARTMENT, region=regions["county"], department="医保")
    groups = {entry.label: [c.label for c in children] for entry, children in visible_menu(health)}
    assert "住院费用" in groups["行业政策"] and "享受政策" in groups["行业政策"]
    assert "饮水安全核查" not in groups["行业政策"] and "学籍" not in groups["行业政策"]
    county = {entry.label: [c.label for c in children] for entry, children in visible_menu(users["county"])}
    assert "饮水安全核查" in county["行业政策"]


def test_load_from_department_dataset(users, family, member_of, tmp_path):
    from fupin.comparison.actions.datasets import load_dataset
    from fupin.comparison.models import DatasetKind
    from fupin.sectors import datasets
    from fupin.sectors.models import StudentStatus

    h = family(members=[("学生", dt.date(YEAR - 17, 1, 1), {"schooling": "08"})])
    student = member_of(h, "学生")
    path = tmp_path / "xueji.xlsx"
    path.write_bytes(_workbook(["姓名", "身份证号", "学校", "年级", "学籍状态", "学段"], [
        [student.name, student.id_number, "县职教中心", "二年级", "在读", "中职"],
        ["外人", "110101199001011237", "某校", "一年级", "在读", "小学"]]).getvalue())
    dataset = load_dataset(path, kind=DatasetKind.objects.get(code="school_enrolment"), acting_user=users["county"],
                           channel=Channel.PAGE)
    counts = datasets.load(dataset, acting_user=users["county"], channel=Channel.PAGE)
    assert (counts["created"], counts["unmatched"]) == (1, 1)
    record = StudentStatus.objects.get()
    assert (record.stage, record.source, record.member) == ("vocational", "dataset", student)
    assert datasets.load(dataset, acting_user=users["county"], channel=Channel.PAGE)["existing"] == 1
