"""The demo's 考核评估 (fupin.demo.assessment): a drawn sample, most households surveyed, some 漏评 and 错退 found,
recognition about 95 %."""

import datetime as dt

import pytest

from fupin.assessment import rates
from fupin.assessment.models import AnswerSheet, Assessment, SampleHousehold
from fupin.demo import generator

TODAY = dt.date(2026, 6, 15)


@pytest.mark.django_db
def test_demo_assessment_has_a_sample_answers_and_findings():
    result = generator.run(300, seed=7, today=TODAY)
    assessment = Assessment.objects.get()
    sampled = SampleHousehold.objects.filter(assessment=assessment).count()
    assert assessment.draws == 1 and sampled > 20
    sheets = AnswerSheet.objects.filter(sample__assessment=assessment).count()
    assert result.activity["assessment_sheets"] == sheets and 0.75 * sampled <= sheets < sampled
    found = rates.findings(assessment)
    assert {f.kind for f in found} == {"missed_rate", "wrong_exit_rate"}
    total = rates.results(assessment)[-1]
    recognition = {f.rate: f for f in total.figures}["recognition"]
    assert 85 <= recognition.value <= 100
