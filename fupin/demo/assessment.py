"""The demo's 考核评估: one third-party assessment (第三方评估) of the demo county with its sample drawn from the
register by a fixed seed, the county account as enumerator, and answer sheets for about nine in ten sampled
households — a few found 漏评 or 错退, about 95 % recognising — so the results page shows passing and failing gates."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from fupin.assessment import services
from fupin.assessment.choices import NO, YES, AssessmentKind, Feed, HouseholdStratum, QuestionKind
from fupin.assessment.models import Assessment, SampleHousehold
from fupin.audit.models import Channel
from fupin.regions.models import Level

from .workflows import Actors, on

PAGE = Channel.PAGE
SEED = 20191130
SURVEYED_SHARE = 0.9
REFUSING_SHARE = 0.05  # households that do not recognise one of the recognition questions (≈ 95 % recognition)
FOUND = 2  # households of each kind planted as 漏评 and as 错退
FOUND_SHARE = 0.02


def _answers(sample: SampleHousehold, questions, rng: random.Random, *, missed: bool, wrong: bool) -> dict:
    refusing = rng.random() < REFUSING_SHARE
    refused_code = rng.choice([q.code for q in questions if q.feeds == Feed.RECOGNITION] or [""])
    values = {}
    for q in questions:
        if q.feeds == Feed.MISSED:
            values[q.code] = YES if missed else NO
        elif q.feeds == Feed.WRONG_EXIT:
            values[q.code] = YES if wrong else NO
        elif q.feeds == Feed.POOR:
            values[q.code] = YES if missed or wrong or sample.stratum == HouseholdStratum.POOR else NO
        elif q.kind == QuestionKind.YES_NO:
            values[q.code] = NO if wrong and q.code.startswith("A") else YES
        elif q.kind == QuestionKind.CHOICE:
            choices = q.choice_list
            values[q.code] = choices[-1] if refusing and q.code == refused_code else rng.choice(choices[:2])
        elif q.kind == QuestionKind.NUMBER:
            values[q.code] = str(sample.people)
    return values


def create_assessment(actors: list[Actors], today: dt.date) -> int:
    """The assessment, its sample and its answer sheets; returns the number of sheets."""
    county_user = actors[0].by_level[Level.COUNTY]
    county = county_user.region
    rng = random.Random(SEED)
    with on(today - dt.timedelta(days=20)):
        assessment = services.save_assessment(
            Assessment(year=today.year - 1, region=county, name=f"{today.year - 1}年{county.name}脱贫攻坚成效第三方评估",
                       kind=AssessmentKind.THIRD_PARTY, seed=SEED, poor_villages=1, non_poor_villages=1,
                       exited_households=4, poor_households=2, monitored_households=2, ordinary_households=4),
            acting_user=county_user, channel=PAGE, enumerators=[county_user])
        services.draw_sample(assessment, acting_user=county_user, channel=PAGE)
    samples = list(SampleHousehold.objects.filter(assessment=assessment).select_related("assessment", "household")
                   .order_by("township_code", "village_id", "stratum", "position"))
    questions = list(assessment.questions.all())
    planted = {"missed": 0, "wrong": 0}
    sheets = 0
    for index, sample in enumerate(samples):
        if rng.random() > SURVEYED_SHARE:
            continue
        applicable = [q for q in questions if q.applies_to(sample.stratum)]
        missed = not sample.registered and (planted["missed"] < FOUND or rng.random() < FOUND_SHARE)
        wrong = sample.exited and (planted["wrong"] < FOUND or rng.random() < FOUND_SHARE)
        planted["missed"] += missed
        planted["wrong"] += wrong
        day = today - dt.timedelta(days=15 - index % 10)
        with on(day):
            services.submit_sheet(sample, _answers(sample, applicable, rng, missed=missed, wrong=wrong),
                                  client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4), surveyed_on=day,
                                  respondent=sample.household.head_name, acting_user=county_user, channel=PAGE)
        sheets += 1
    return sheets
