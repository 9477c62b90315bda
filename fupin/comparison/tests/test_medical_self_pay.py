"""The medical self-pay share of in-policy costs against the cap configured in monitoring (10 % in seed 001), as
a comparison rule on the 医保 settlements beside the fixed-amount rule (issue 10, §4)."""

import datetime as dt

import pytest

from conftest import new_id
from fupin.comparison import rules
from fupin.comparison.models import Suspect
from fupin.monitoring.models import Parameter
from fupin.registry.models import Member

HEADER = ["患者姓名", "身份证号", "入院日期", "政策范围内费用", "政策范围内个人自付"]


@pytest.fixture
def person(make_household, regions):
    def make():
        number = new_id(dt.date(1975, 3, 9))
        make_household(regions["village_a1"], head_id=number)
        assert Member.objects.filter(id_number=number).exists()
        return number

    return make


def found():
    return {s.subject_key: s for s in Suspect.objects.filter(rule="medical_self_pay_share")}


def test_share_above_the_configured_cap_is_a_suspect(load, compare, person):
    high, at_cap, low = person(), person(), person()
    dataset = load("hospital_bill", HEADER, [
        ["甲", high, "2024-03-01", "20000", "1500"],
        ["甲", high, "2024-06-01", "10000", "1600"],  # 3100 / 30000 = 10.33 %
        ["乙", at_cap, "2024-03-01", "10000", "1000"],  # exactly 10 %: not above the cap
        ["丙", low, "2024-03-01", "50000", "2000"],
    ])
    compare([dataset], rules=["medical_self_pay_share"])
    suspects = found()
    assert set(suspects) == {high}
    fields = suspects[high].evidence["fields"]
    assert fields["合规自付占政策范围内费用（%）"] == pytest.approx(10.33)
    assert fields["政策范围内费用合计（元）"] == 30000


def test_the_cap_is_the_monitoring_parameter(load, compare, person, regions):
    assert Parameter.objects.get(code="medical_self_pay_cap", region=None, year=None).value == 10
    share = person()
    dataset = load("hospital_bill", HEADER, [["甲", share, "2024-03-01", "10000", "800"]])  # 8 %
    compare([dataset], rules=["medical_self_pay_share"])
    assert not found()
    Parameter.objects.create(code="medical_self_pay_cap", name="合规自付医疗费用占比上限", region=regions["county"],
                             value=5, unit="%")
    compare([dataset], rules=["medical_self_pay_share"], region=regions["county"].code)
    assert set(found()) == {share}


def test_rule_is_declared_and_transpiles():
    rule = rules.get("medical_self_pay_share")
    assert rule.kind == "hospital_bill" and not rules.check(rule)
    assert "cap" in rules.transpile(rule)
