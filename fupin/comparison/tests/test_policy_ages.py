"""The 义务教育 age of the comparison rule and of the education department's reverse list is the monitoring
parameter of the county (义务教育适龄下限/上限, 6–15 by default, installed by monitoring 0008), not a literal."""

import datetime as dt
from decimal import Decimal

from conftest import new_id
from fupin.comparison import reverse
from fupin.comparison.models import Suspect
from fupin.monitoring.models import Parameter
from fupin.procedures import policy

REFERENCE = dt.date(2024, 9, 1)


def county_school_age_max(regions, value):
    Parameter.objects.create(code=policy.SCHOOL_AGE_MAX, name="义务教育适龄上限", region=regions["county"],
                             value=Decimal(value), unit="周岁")


def test_the_rule_reads_the_county_school_age(load, compare, make_household, regions):
    sixteen = new_id(dt.date(2008, 3, 1))  # 16 on the data date
    make_household(regions["village_a1"], head_name="家长", extra=[("少年", sixteen, "20")])
    dataset = load("school_enrolment", ["学生姓名", "身份证号", "学校", "学籍状态"],
                   [["他人", new_id(dt.date(2015, 1, 1)), "尹集镇中心小学", "在读"]], reference_date=REFERENCE)
    compare([dataset], rules=["school_age_not_enrolled"], region=regions["county"].code)
    assert not Suspect.objects.filter(rule="school_age_not_enrolled").exists()
    county_school_age_max(regions, 16)
    compare([dataset], rules=["school_age_not_enrolled"], region=regions["county"].code)
    assert set(Suspect.objects.filter(rule="school_age_not_enrolled").values_list("subject_key", flat=True)) == {
        sixteen}


def test_the_reverse_list_reads_the_county_school_age(make_household, regions):
    today = dt.date(2025, 10, 1)
    nine, sixteen = new_id(dt.date(2016, 1, 15)), new_id(dt.date(2009, 5, 1))
    make_household(regions["village_a1"], head_name="家长", extra=[("孩子", nine, "20"), ("少年", sixteen, "20")])
    (school,) = [item for item in reverse.REVERSE_LISTS if item.code == "school_age_children"]
    listed = lambda: set(reverse.members_for(school, None, today).values_list("id_number", flat=True))  # noqa: E731
    assert listed() == {nine}
    county_school_age_max(regions, 16)
    assert listed() == {nine, sixteen}
