"""The assessment: the incidence boundary in Decimal, the western limit, collective income, the growth rule, the
checklist's required items, the explanations, and one GROUP BY for the people."""

from decimal import Decimal

import pytest

from fupin.core.channels import Channel
from fupin.villages.assessment import assess, assess_village


def test_a_passing_village_explains_each_figure(passing):
    result = assess_village(passing, 2025)
    assert result.verdict == "pass", result.reasons
    assert (result.rural_population, result.remaining_poor) == (100, 1)
    assert result.incidence == Decimal("0.01") and result.limit == Decimal("0.02")
    assert result.incidence_explanation == ("贫困发生率：未脱贫人口1人 ÷ 农业户籍人口100人（2025年录入） = 1.00%，"
                                            "低于上限2.00%，达标")
    growth = result.item("income_growth")
    assert growth.passed and "增长10.00%" in growth.explanation and "全县平均7.50%" in growth.explanation
    assert result.item("collective_income").explanation == "村集体经济收入：60,000.00元，达到下限50,000.00元，达标"
    assert [i.name for i in result.indicators][:2] == ["有主导产业", "有入户安全饮水"]


@pytest.mark.parametrize(("poor", "population", "verdict"), [(2, 100, "fail"), (199, 10000, "pass"),
                                                             (200, 10000, "fail")])
def test_the_boundary_itself_fails(regions, poor_people, village_data, passing, poor, population, verdict):
    village = regions["village_b1"]
    poor_people(village, poor)
    village_data(village, 2024, income=10000)
    village_data(village, 2025, population=population, collective=60000, income=11000, answers="all")
    result = assess_village(village, 2025)
    assert result.verdict == verdict, result.reasons
    assert result.as_json()["incidence"] == f"{Decimal(poor) / population:.4f}"
    if verdict == "fail":
        assert result.reasons == ["贫困发生率2.00%，未低于2.00%"]
        assert "不达标（等于上限也不达标）" in result.incidence_explanation


def test_exited_and_ordinary_people_are_not_remaining_poor(regions, poor_people, village_data, passing):
    poor_people(passing, 3, status="2")  # 已脱贫
    poor_people(passing, 2, status="3")  # 返贫: still poor
    assert assess_village(passing, 2025).remaining_poor == 3


def test_western_provinces_have_three_percent(db, users, poor_people):
    from fupin.regions.models import Level, Region

    made = {}
    for code, level, parent in (("520000000000", Level.PROVINCE, None), ("520100000000", Level.CITY, "520000000000"),
                                ("520122000000", Level.COUNTY, "520100000000"),
                                ("520122100000", Level.TOWNSHIP, "520122000000"),
                                ("520122100201", Level.VILLAGE, "520122100000")):
        made[code] = Region.objects.create(code=code, name=code, level=level, parent=made.get(parent),
                                           is_poor_village=level == Level.VILLAGE)
    from fupin.accounts.models import Role, User
    from fupin.villages import services
    from fupin.villages.models import VillageYear

    village = made["520122100201"]
    county = User.objects.create_user("gz", password="Test1234pass", role=Role.COUNTY, region=made["520122000000"])
    poor_people(village, 5, user=county)
    services.save_village_year(VillageYear(village=village, year=2025, rural_population=200,
                                           collective_income=Decimal(60000)), acting_user=county, channel=Channel.PAGE)
    result = assess_village(village, 2025)
    assert result.limit == Decimal("0.03") and result.incidence_passed, result.incidence_explanation
    assert "（西部地区标准）" in result.incidence_explanation


def test_a_county_figure_wins_over_the_national(passing, users):
    from fupin.villages import services
    from fupin.villages.models import ParameterCode, VillageParameter

    services.save_parameter(VillageParameter(code=ParameterCode.INCIDENCE_LIMIT, region_prefix="410481",
                                             value=Decimal("0.005"), source="县文件"),
                            acting_user=users["county"], channel=Channel.PAGE)
    result = assess_village(passing, 2025)
    assert result.limit == Decimal("0.005") and result.verdict == "fail"


def test_missing_population_falls_back_to_the_register_and_says_so(regions, poor_people, village_data, passing):
    village = regions["village_b1"]
    poor_people(village, 1)
    poor_people(village, 60, status="")
    village_data(village, 2025, collective=60000, answers="all")
    result = assess_village(village, 2025)
    assert result.rural_population == 61 and not result.population_entered
    assert "未录入2025年农业户籍人口，暂按系统登记在册人口61人计算" in result.incidence_explanation


def test_collective_income_and_growth_fail_with_reasons(regions, poor_people, village_data, passing):
    village = regions["village_b1"]
    village_data(village, 2024, population=100, income=10000)
    village_data(village, 2025, population=100, collective="49999.99", income=10100, answers="all")
    result = assess_village(village, 2025)
    assert result.verdict == "fail"
    assert result.reasons == ["村集体经济收入49,999.99元，低于50,000.00元",
                              "人均可支配收入增幅1.00%，低于全县平均5.33%"]


def test_a_configured_county_growth_is_used(passing, users):
    from fupin.villages import services
    from fupin.villages.models import ParameterCode, VillageParameter

    services.save_parameter(VillageParameter(code=ParameterCode.COUNTY_GROWTH, region_prefix="410481", year=2025,
                                             value=Decimal("0.12"), source="县统计公报"),
                            acting_user=users["county"], channel=Channel.PAGE)
    result = assess_village(passing, 2025)
    assert result.reasons == ["人均可支配收入增幅10.00%，低于全县平均12.00%"]
    assert "（县统计数据）" in result.item("income_growth").explanation


def test_required_checklist_items_decide_and_optional_ones_do_not(regions, poor_people, village_data, users):
    from fupin.villages import services
    from fupin.villages.models import Indicator

    village = regions["village_b1"]
    county_item = services.save_indicator(
        Indicator(region=regions["county"], code="toilet", name="有卫生厕所", required=False, position=1),
        acting_user=users["county"], channel=Channel.PAGE)
    required = services.save_indicator(Indicator(region=regions["county"], code="road", name="有硬化路", position=2),
                                       acting_user=users["county"], channel=Channel.PAGE)
    village_data(village, 2025, population=100, collective=60000, answers={"toilet": False})
    result = assess_village(village, 2025)
    # The county's own list replaces the national one.
    assert [i.code for i in result.indicators] == ["toilet", "road"]
    assert result.reasons[-1] == "有硬化路尚未填报"
    assert "（参考指标，不影响出列）" in result.item("toilet").explanation
    services.answer(village, 2025, required, met=True, acting_user=users["county"], channel=Channel.PAGE)
    assert "有硬化路尚未填报" not in assess_village(village, 2025).reasons
    assert county_item.pk


def test_one_query_for_the_people_whatever_the_villages(regions, passing, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        results = assess(regions["county"], 2025)
    assert [r.village_code for r in results] == [regions[k].code for k in ("village_a1", "village_a2",
                                                                          "village_b1", "village_b2")]


def test_scope_keeps_a_village_to_itself(regions, users, passing):
    assert [r.village_code for r in assess(regions["county"], 2025, user=users["village_a1"])] == [passing.code]
    assert {r.village_code for r in assess(regions["county"], 2025, user=users["town_b"])} == {
        regions["village_b1"].code, regions["village_b2"].code}
