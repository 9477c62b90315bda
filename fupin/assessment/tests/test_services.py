import uuid
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fupin.assessment import rates, services
from fupin.assessment.models import AnswerSheet, Assessment, AssessmentGate, Question, SampleHousehold, SampleVillage
from fupin.audit.models import AuditLog

from .conftest import PAGE


def _sample(a):
    return (list(SampleVillage.objects.filter(assessment=a).values_list("village_id", "stratum", "position")),
            list(SampleHousehold.objects.filter(assessment=a).order_by("pk")
                 .values_list("household_id", "stratum", "position")))


def test_questionnaire_and_gates_are_seeded_and_copied(assessment):
    assert AssessmentGate.objects.get(rate="recognition", region=None).value == Decimal(90)
    assert AssessmentGate.objects.get(rate="missed_rate", region=None).source
    codes = list(assessment.questions.values_list("code", flat=True))
    assert codes == list(Question.objects.filter(assessment=None).values_list("code", flat=True))
    assert "B1" in codes and "C4" in codes


def test_stratum_proportions(assessment, regions):
    villages = Counter(SampleVillage.objects.filter(assessment=assessment).values_list("township_code", "stratum"))
    # Each township has one poor and one non-poor village: one of each is drawn per township.
    assert villages == {(regions["town_a"].code, "poor"): 1, (regions["town_a"].code, "non_poor"): 1,
                        (regions["town_b"].code, "poor"): 1, (regions["town_b"].code, "non_poor"): 1}
    per_village = Counter(SampleHousehold.objects.filter(assessment=assessment).values_list("village_id", "stratum"))
    for village in ("village_a1", "village_a2", "village_b1", "village_b2"):
        code = regions[village].code
        assert per_village[(code, "exited")] == 3
        assert per_village[(code, "poor")] == 2
        assert per_village[(code, "monitored")] == 1
        assert per_village[(code, "ordinary")] == 4
    samples = SampleHousehold.objects.filter(assessment=assessment).select_related("household")
    assert all(s.household.status != "6" for s in samples)  # 注销 households are never candidates
    for s in samples:
        assert s.stratum == services.stratum_of(s.household.status, s.household.monitoring_kind)
    # The denominators come from the whole village at the draw: 6×3 + 4×2 + 2×4 + 8×5 people.
    village = SampleVillage.objects.get(assessment=assessment, village=regions["village_a1"])
    assert (village.rural_people, village.unregistered_people, village.remaining_poor_people) == (74, 40, 8)


def test_small_stratum_takes_everyone(assessment, users):
    assessment.exited_households = 50
    assessment.save()
    services.draw_sample(assessment, acting_user=users["county"], channel=PAGE, reason="扩大样本")
    assert SampleHousehold.objects.filter(assessment=assessment, stratum="exited").count() == 4 * 6


def test_same_seed_same_register_same_sample(assessment, users, regions):
    first = _sample(assessment)
    result = services.draw_sample(assessment, acting_user=users["county"], channel=PAGE, reason="复核抽样")
    assert result["same_register"] is True
    assert _sample(assessment) == first
    # A second assessment with the same seed and sizes draws the same households.
    twin = services.save_assessment(
        Assessment(year=2019, region=regions["county"], name="复核", seed=assessment.seed,
                   **{f: getattr(assessment, f) for f in services.SIZE_FIELDS}),
        acting_user=users["county"], channel=PAGE)
    services.draw_sample(twin, acting_user=users["county"], channel=PAGE)
    assert [row[:2] for row in _sample(twin)[1]] == [row[:2] for row in first[1]]
    # Another seed draws another sample.
    services.draw_sample(twin, acting_user=users["county"], channel=PAGE, seed=7, reason="换种子")
    assert _sample(twin)[1] != first[1]


def test_redraw_needs_reason_is_audited_and_refused_after_answers(assessment, users, answer):
    with pytest.raises(ValidationError) as error:
        services.draw_sample(assessment, acting_user=users["county"], channel=PAGE)
    assert "原因" in str(error.value)
    services.draw_sample(assessment, acting_user=users["county"], channel=PAGE, reason="登记数据更正后重抽")
    entry = AuditLog.objects.filter(object_type="assessment", object_id=str(assessment.pk)).order_by("pk").last()
    assert "重新抽样" in entry.note and "登记数据更正后重抽" in entry.note and str(assessment.seed) in entry.note
    assert AuditLog.objects.filter(object_type="samplehousehold").exists()
    answer(SampleHousehold.objects.filter(assessment=assessment).first())
    with pytest.raises(ValidationError):
        services.draw_sample(assessment, acting_user=users["county"], channel=PAGE, reason="再抽")


def test_only_county_staff_create_and_draw(users, regions, register):
    for who in ("town_a", "village_a1", "leader"):
        with pytest.raises(PermissionDenied):
            services.save_assessment(Assessment(year=2019, region=regions["county"], name="x"),
                                     acting_user=users[who], channel=PAGE)


def test_submission_is_idempotent_by_client_uuid(assessment, users):
    sample = SampleHousehold.objects.filter(assessment=assessment, stratum="exited").first()
    key = uuid.uuid4()
    values = {"A1": "是", "A2": "是", "A3": "是", "B2": "否", "B3": "否", "C1": "认可", "C2": "满意", "C3": "认可",
              "C4": "满意"}
    sheet, created = services.submit_sheet(sample, values, client_uuid=key, surveyed_on=timezone.localdate(),
                                           acting_user=users["county"], channel=PAGE)
    again, created_again = services.submit_sheet(sample, values, client_uuid=key, surveyed_on=timezone.localdate(),
                                                 acting_user=users["county"], channel=PAGE)
    assert created and not created_again and again.pk == sheet.pk
    assert AnswerSheet.objects.filter(sample=sample).count() == 1 and sheet.answers.count() == 9
    with pytest.raises(ValidationError, match="不能重复录入"):
        services.submit_sheet(sample, values, client_uuid=uuid.uuid4(), surveyed_on=timezone.localdate(),
                              acting_user=users["county"], channel=PAGE)
    other = SampleHousehold.objects.filter(assessment=assessment, stratum="exited").exclude(pk=sample.pk).first()
    with pytest.raises(ValidationError, match="另一户"):
        services.submit_sheet(other, values, client_uuid=key, surveyed_on=timezone.localdate(),
                              acting_user=users["county"], channel=PAGE)


def test_answers_are_checked_by_question(assessment, users):
    sample = SampleHousehold.objects.filter(assessment=assessment, stratum="ordinary").first()
    with pytest.raises(ValidationError) as error:
        services.submit_sheet(sample, {"A1": "也许", "C1": "很好", "B2": "否"}, client_uuid=uuid.uuid4(),
                              surveyed_on=timezone.localdate(), acting_user=users["county"], channel=PAGE)
    errors = error.value.message_dict
    assert "是" in errors["A1"][0] and "认可、基本认可、不认可" in errors["C1"][0]
    assert "必答" in errors["A2"][0] and "B2" in errors["__all__"][0]  # B2 is not asked of an ordinary household
    assert not AnswerSheet.objects.exists()


def test_enumerators_survey_their_assessment_only(assessment, users, answer):
    sample = SampleHousehold.objects.filter(assessment=assessment, village_id=users["village_a1"].region_id).first()
    with pytest.raises(PermissionDenied):
        answer(sample, user=users["village_a1"])
    services.save_assessment(assessment, acting_user=users["county"], channel=PAGE, enumerators=[users["village_a1"]])
    answer(sample, user=users["village_a1"])
    outside = SampleHousehold.objects.filter(assessment=assessment, village_id=users["village_b1"].region_id).first()
    with pytest.raises(PermissionDenied):
        answer(outside, user=users["village_a1"])


def test_rates_against_hand_computed_figures(assessment, regions, answer):
    town_a = regions["town_a"].code
    samples = list(SampleHousehold.objects.filter(assessment=assessment, township_code=town_a).order_by("pk"))
    ordinary = [s for s in samples if s.stratum == "ordinary"]
    exited = [s for s in samples if s.stratum == "exited"]
    monitored = [s for s in samples if s.stratum == "monitored"]
    # Township A: 8 ordinary surveyed (5 people each), one found 漏评 and one found poor by B3 (also 漏评);
    # 6 exited surveyed (3 people), one 错退; the 2 monitored (exited, 4 people) surveyed, one 错退 by B3.
    answer(ordinary[0], B1="是")
    answer(ordinary[1], B3="是")
    for s in ordinary[2:]:
        answer(s)
    answer(exited[0], B2="是", C2="不满意")
    for s in exited[1:]:
        answer(s)
    answer(monitored[0], B3="是")
    answer(monitored[1], C4="不满意")
    # The 4 poor households of township A stay unsurveyed.
    town, *_rest, total = rates.results(assessment)
    assert town.code == town_a and total.county
    figures = {f.rate: f for f in town.figures}
    # 漏评: 2 households × 5 people over the unregistered people of the sampled villages (2 villages × 40).
    assert (figures["missed_rate"].numerator, figures["missed_rate"].denominator) == (10, 80)
    assert figures["missed_rate"].value == Decimal("12.50") and figures["missed_rate"].passed is False
    # 错退: 3 + 4 people over the surveyed exited people (6 × 3 + 2 × 4).
    assert (figures["wrong_exit_rate"].numerator, figures["wrong_exit_rate"].denominator) == (7, 26)
    assert figures["wrong_exit_rate"].value == Decimal("26.92")
    # 综合贫困发生率: (remaining poor 2 × 8 + 10 + 7) over the rural people 2 × 74.
    assert (figures["incidence"].numerator, figures["incidence"].denominator) == (33, 148)
    assert figures["incidence"].value == Decimal("22.30")
    # 认可度: 16 surveyed, 2 with a non-recognising answer.
    assert (figures["recognition"].numerator, figures["recognition"].denominator) == (14, 16)
    assert figures["recognition"].value == Decimal("87.50") and figures["recognition"].passed is False
    assert figures["recognition"].gate_text == "≥ 90%" and figures["recognition"].verdict == "未达标"
    other = {f.rate: f for f in _rest[0].figures} if _rest else None
    assert other is None or other["recognition"].value is None  # township B: nothing surveyed
    found = rates.findings(assessment)
    assert Counter(f.kind for f in found) == {"missed_rate": 2, "wrong_exit_rate": 2}
    assert {f.household_id for f in found} == {ordinary[0].household_id, ordinary[1].household_id,
                                               exited[0].household_id, monitored[0].household_id}


def test_gate_by_region_and_year_wins(assessment, regions, users, answer):
    services.save_gate(AssessmentGate(rate="recognition", region=regions["county"], year=2019, value=Decimal(80),
                                      source="县定"), acting_user=users["county"], channel=PAGE)
    for s in SampleHousehold.objects.filter(assessment=assessment)[:10]:
        answer(s, C2="不满意" if s.pk % 10 == 0 else "满意")
    total = rates.results(assessment)[-1]
    recognition = {f.rate: f for f in total.figures}["recognition"]
    assert recognition.gate == Decimal(80) and recognition.passed is True
    with pytest.raises(PermissionDenied):
        services.save_gate(AssessmentGate(rate="missed_rate", value=Decimal(1)), acting_user=users["county"],
                           channel=PAGE)


def test_changing_counting_answers_recounts(assessment, answer):
    sample = SampleHousehold.objects.filter(assessment=assessment, stratum="ordinary").first()
    answer(sample, C1="基本认可")
    assert {f.rate: f for f in rates.results(assessment)[-1].figures}["recognition"].value == Decimal(100)
    question = assessment.questions.get(code="C1")
    question.counts_when = "认可"
    services.save_question(question, acting_user=None, channel=PAGE)
    assert {f.rate: f for f in rates.results(assessment)[-1].figures}["recognition"].value == Decimal(0)
    question.counts_when = "很好"
    with pytest.raises(ValidationError):
        services.save_question(question, acting_user=None, channel=PAGE)


def test_township_account_sees_its_own_townships_results(assessment, regions):
    results = rates.results(assessment, prefix=regions["town_b"].prefix)
    assert [r.code for r in results] == [regions["town_b"].code, assessment.region_id]
    assert results[-1].sampled == SampleHousehold.objects.filter(assessment=assessment,
                                                                 township_code=regions["town_b"].code).count()
