"""Each built-in rule with matching and non-matching rows, dirty ID numbers included.

Dirty forms that must still match: spaces, full-width digits, lower-case x, the 15-digit number of 1989, Excel's
apostrophe. An ID that Excel stored as a number must be rejected and never match.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import new_id
from fupin.comparison import rules
from fupin.comparison.actions.kinds import save_custom_rule
from fupin.comparison.actions.stats import rates_by_rule
from fupin.comparison.models import CustomRule, DatasetKind, KindField, Suspect
from fupin.core.channels import Channel
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household, Member


def spaced(number):
    return f" {number[:6]} {number[6:14]} {number[14:]} "


def fullwidth(number):
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)


def old15(number):
    """The 15-digit number (GB 11643-1989) of a person born in the 1900s."""
    return number[:6] + number[8:17]


@pytest.fixture
def person(make_household, regions):
    """person(village_key='village_a1', **member fields) → the head's normalised ID number."""

    def make(village="village_a1", name="张三", born=dt.date(1980, 5, 17), household=None, relation="01", **fields):
        number = new_id(born)
        if household is None:
            household = make_household(regions[village], head_name=name, head_id=number)
        else:
            Member.objects.create(household=household, name=name, id_number=number, relation=relation,
                                  sex="1", birth_date=born)
        if fields:
            Member.objects.filter(id_number=number).update(**fields)
        return number

    return make


def found(rule):
    return {s.subject_key: s for s in Suspect.objects.filter(rule=rule)}


def household_of(number):
    return Member.objects.get(id_number=number).household


def test_deceased_still_registered(load, compare, person, regions):
    dead = person(name="张三")
    dead_old = person(name="李四", born=dt.date(1950, 2, 3))
    alive = person(name="王五")
    struck_off = person(name="赵六")
    Household.objects.filter(pk=household_of(struck_off).pk).update(status=HouseholdStatus.CLEARED)  # off the register
    removed = person(name="钱七")
    Member.objects.filter(id_number=removed).update(active=False)
    mangled = person(name="孙八")
    dataset = load("death", ["姓名", "公民身份号码", "死亡日期"], [
        ["张三", spaced(dead).replace("X", "x"), "2024-03-05"],
        ["李四", old15(dead_old), "2024年3月6日"],
        ["赵六", struck_off, "2024/3/7"],
        ["钱七", removed, "20240308"],
        ["孙八", float(mangled[:17] + "0"), "2024-03-09"],
        ["外县人", new_id(), "2024-03-10"],
    ], numbers=(1,))
    assert dataset.ids_rejected == 1
    assert "Excel" in dataset.report["rejected_samples"][0]["reason"]
    compare([dataset])
    suspects = found("deceased_registered")
    assert set(suspects) == {dead, dead_old}
    first = suspects[dead]
    assert first.village_code == regions["village_a1"].code
    assert first.evidence["fields"]["死亡日期"] == "2024-03-05"
    assert first.evidence["row"] == 2 and first.dataset == dataset
    assert alive not in suspects and mangled not in suspects


def test_vehicle_owner(load, compare, person):
    car, tricycle, truck, scrapped = person(), person(), person(), person()
    dataset = load("vehicle", ["机动车所有人", "身份证明号码", "号牌号码", "车辆类型", "使用性质", "机动车状态"], [
        ["甲", fullwidth(car), "豫D12345", "小型轿车", "非营运", "正常"],
        ["乙", tricycle, "豫D22222", "三轮汽车", "非营运", "正常"],
        ["丙", truck, "豫D33333", "重型货车", "营运", "正常"],
        ["丁", scrapped, "豫D44444", "小型轿车", "非营运", "注销"],
    ])
    compare([dataset])
    suspects = found("vehicle_owner")
    assert set(suspects) == {car}
    assert suspects[car].evidence["fields"]["号牌号码"] == "豫D12345"


def test_business_owner(load, compare, person):
    owner, closed = person(), person()
    dataset = load("business", ["法定代表人", "证件号码", "企业名称", "登记状态"], [
        ["甲", owner.lower(), "舞钢市甲商贸有限公司", "存续（在营、开业、在册）"],
        ["乙", closed, "乙种植专业合作社", "注销"],
    ])
    compare([dataset])
    assert set(found("business_owner")) == {owner}


def test_commercial_property(load, compare, person):
    flat, homestead = person(), person()
    dataset = load("real_estate", ["权利人", "权利人证件号", "坐落", "用途", "房屋性质"], [
        ["甲", "'" + flat, "舞钢市垭口街道幸福小区3-201", "住宅", "商品房"],
        ["乙", homestead, "尹集镇张庄村", "住宅", "宅基地自建房"],
    ])
    compare([dataset])
    assert set(found("property_owner")) == {flat}


def test_public_employee(load, compare, person):
    clerk, farmer = person(), person()
    dataset = load("public_employee", ["姓名", "身份证号", "工作单位", "月工资"], [
        ["甲", fullwidth(clerk), "舞钢市某局", "5,200元"],
        ["外县人", new_id(), "某局", "5000"],
    ])
    compare([dataset])
    suspects = found("public_employee")
    assert set(suspects) == {clerk} and farmer not in suspects
    assert suspects[clerk].evidence["fields"]["月工资（元）"] == 5200


def test_not_insured(load, compare, person):
    insured, lapsed, missing = person(), person(), person()
    newborn = person(born=dt.date(2022, 6, 1))
    dataset = load("medical_insurance", ["姓名", "证件号码", "参保状态"], [
        ["甲", spaced(insured), "正常参保"],
        ["乙", lapsed, "暂停缴费"],
    ], reference_date=dt.date(2021, 12, 31))
    compare([dataset])
    suspects = found("not_insured")
    assert set(suspects) == {lapsed, missing}  # the newborn came after the list's date
    assert newborn not in suspects
    assert suspects[missing].dataset is None and suspects[missing].evidence["note"] == "在所选名单中未找到该人员"
    assert suspects[missing].evidence["fields"]["档案登记已参保"] == "是"


def test_large_medical_expense_sums_bills_and_takes_a_threshold(load, compare, person):
    heavy, light = person(), person()
    dataset = load("hospital_bill", ["患者姓名", "身份证号", "入院日期", "个人自付"], [
        ["甲", heavy, "2024-01-02", "6000"],
        ["甲", heavy.lower(), "2024-05-02", "5,000.50"],
        ["乙", light, "2024-02-02", "3000"],
    ])
    compare([dataset])
    suspects = found("large_medical_expense")
    assert set(suspects) == {heavy}
    fields = suspects[heavy].evidence["fields"]
    assert fields["结算次数"] == 2 and fields["个人自付合计（元）"] == 11000.5
    compare([dataset], params={"large_medical_expense": {"min_out_of_pocket": 2000}})
    assert set(found("large_medical_expense")) == {heavy, light}


def test_school_age_child_not_enrolled(load, compare, person):
    reference = dt.date(2024, 9, 1)
    head = person(name="户主")
    household = household_of(head)
    out_of_school = person(name="辍学", born=dt.date(2014, 3, 1), household=household, relation="20")
    enrolled = person(name="在读", born=dt.date(2012, 3, 1), household=household, relation="20")
    dropped = person(name="状态辍学", born=dt.date(2010, 3, 1), household=household, relation="20")
    person(name="幼儿", born=dt.date(2020, 3, 1), household=household, relation="30")
    person(name="成年", born=dt.date(2004, 3, 1), household=household, relation="30")
    turns_six = person(name="刚满六岁", born=dt.date(2018, 9, 1), household=household, relation="30")
    dataset = load("school_enrolment", ["学生姓名", "身份证号", "学校", "学籍状态"], [
        ["在读", enrolled, "尹集镇中心小学", "在读"],
        ["状态辍学", dropped, "尹集镇初级中学", "辍学"],
    ], reference_date=reference)
    compare([dataset])
    suspects = found("school_age_not_enrolled")
    assert set(suspects) == {out_of_school, dropped, turns_six}
    assert suspects[out_of_school].evidence["fields"]["年龄（截至数据日期）"] == 10


def test_dangerous_house_is_one_suspect_per_household(load, compare, person):
    head = person(name="户主")
    spouse = person(name="配偶", household=household_of(head), relation="10")
    safe, renovated = person(), person()
    dataset = load("dangerous_house", ["户主姓名", "户主身份证号", "鉴定等级", "改造情况"], [
        ["户主", head, "D级", "未改造"],
        ["配偶", spouse, "c", ""],
        ["乙", safe, "B", ""],
        ["丙", renovated, "C级", "已改造"],
    ])
    compare([dataset])
    suspects = found("dangerous_house")
    number = household_of(head).number
    assert set(suspects) == {number}
    assert suspects[number].evidence["fields"]["鉴定等级"] == "D级" and suspects[number].row_no == 2


def test_dibao_both_directions(load, compare, person):
    receiving = person()  # 低保贫困户 with its member on the list: fine
    not_receiving = person()  # 低保贫困户, nobody on the list
    flagged_only = person(on_dibao=True)  # 一般贫困户 whose member is flagged, not on the list
    unrecorded = person()  # on the list, register says nothing
    recorded = person(on_dibao=True)  # on the list and flagged: fine
    Household.objects.filter(members__id_number__in=[receiving, not_receiving]).update(category="2")
    dataset = load("dibao", ["姓名", "身份证号", "保障金额"], [
        ["甲", receiving, "300"], ["丁", fullwidth(unrecorded), "260"], ["戊", recorded, "260"],
    ])
    compare([dataset])
    missing = found("dibao_not_received")
    assert set(missing) == {household_of(not_receiving).number, household_of(flagged_only).number}
    assert set(found("dibao_unrecorded")) == {unrecorded}


def test_tekun_unrecorded(load, compare, person):
    unrecorded, recorded = person(), person(on_tekun=True)
    dataset = load("tekun", ["姓名", "身份证号", "供养方式"], [["甲", unrecorded, "分散供养"], ["乙", recorded, "集中供养"]])
    compare([dataset])
    assert set(found("tekun_unrecorded")) == {unrecorded}


def test_disability_unrecorded(load, compare, person):
    unrecorded = person(health="1")
    recorded = person(health="2,4")
    Member.objects.filter(id_number=recorded).update(disability_cert=recorded + "41")
    no_cert = person(health="4")
    dataset = load("disability", ["姓名", "身份证号", "残疾类别", "残疾等级"], [
        ["甲", unrecorded, "肢体", "四级"], ["乙", recorded, "视力", "一级"], ["丙", no_cert, "听力", "二级"],
    ])
    compare([dataset])
    assert set(found("disability_unrecorded")) == {unrecorded, no_cert}


def test_person_registered_in_two_households(load, compare, person):
    twice, same = person(), person()
    dataset = load("poverty_register", ["姓名", "身份证号", "户编号", "区划代码", "所在地"], [
        ["甲", twice, "4104230001", "410423100201", "鲁山县某村"],
        ["乙", same, household_of(same).number, household_of(same).village_id, "本村"],
    ])
    compare([dataset])
    suspects = found("duplicate_registration")
    assert set(suspects) == {twice}
    assert suspects[twice].evidence["fields"]["对方户编号"] == "4104230001"


def test_register_id_absent_from_household_registration(load, compare, person):
    present, absent, moved = person(), person(), person()
    dataset = load("household_registration", ["姓名", "公民身份号码", "户号", "人口状态"], [
        ["甲", present, "001", "正常"], ["丙", moved, "003", "迁出"], ["外人", new_id(), "009", "正常"],
    ])
    compare([dataset])
    assert set(found("hukou_missing")) == {absent, moved}


def test_rules_scope_to_the_region_of_the_run(load, compare, person, regions):
    town_a = person("village_a1")
    town_b = person("village_b1")
    dataset = load("death", ["姓名", "身份证号"], [["甲", town_a], ["乙", town_b]])
    compare([dataset], region=regions["town_b"].code)
    assert set(found("deceased_registered")) == {town_b}


def test_every_builtin_rule_is_valid_and_transpiles_to_spark():
    for rule in rules.BUILTIN_RULES:
        assert rules.check(rule) == [], rule.code
        spark = rules.transpile(rule, "spark")
        assert "register_members" in spark or "register_households" in spark
        assert "regexp_matches" not in spark.lower()  # DuckDB-only functions are rewritten
    broken = rules.Rule("x", "x", None, rules.MEMBER, "SELECT m.member_id FROM registry_member m", "", "")
    assert any("不能使用 registry_member" in p for p in rules.check(broken))
    assert any("household_id" in p for p in rules.check(broken))


def test_administrators_rule_on_their_own_kind(load, compare, person, users):
    kind = DatasetKind.objects.create(code="village_cadre", name="村干部名单")
    KindField.objects.bulk_create([
        KindField(kind=kind, name="id_number", label="证件号码", required=True, aliases="身份证号"),
        KindField(kind=kind, name="name", label="姓名", aliases="姓名"),
        KindField(kind=kind, name="post", label="职务", aliases="职务"),
    ])

    def save(**fields):
        return save_custom_rule(CustomRule(kind=kind, **fields), acting_user=users["admin"],
                                channel=Channel.PAGE)

    with pytest.raises(ValidationError, match="没有这个字段"):
        save(code="cadre", name="村干部", condition="d.salary > 1")
    with pytest.raises(ValidationError, match="不能包含语句或子查询"):
        save(code="cadre", name="村干部", condition="m.id_number IN (SELECT id_number FROM registry_member)")
    with pytest.raises(ValidationError, match="条件无法执行"):
        save(code="cadre", name="村干部", condition="d.post > 5 AND no_such_function(m.age)")
    with pytest.raises(ValidationError, match="内置规则的代码"):
        save(code="vehicle_owner", name="x")
    with pytest.raises(PermissionDenied):
        save_custom_rule(CustomRule(kind=kind, code="c", name="c"), acting_user=users["county"],
                         channel=Channel.PAGE)
    save(code="cadre_family", name="村干部本人为贫困户成员", condition="d.post LIKE '%书记%' OR d.post LIKE '%主任%'")

    secretary, accountant = person(), person()
    dataset = load("village_cadre", ["姓名", "身份证号", "职务"], [["甲", secretary, "村党支部书记"], ["乙", accountant, "报账员"]])
    run = compare([dataset])
    assert run.rules == ["cadre_family"]
    suspects = found("cadre_family")
    assert set(suspects) == {secretary}
    assert suspects[secretary].evidence["fields"]["职务"] == "村党支部书记"
    assert rates_by_rule(Suspect.objects.all())[0]["name"] == "村干部本人为贫困户成员"
