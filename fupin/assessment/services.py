"""考核评估 actions: assessments, the seeded stratified sample, questionnaires, answer sheets and gates.

Every write checks ``access`` and the region scope, validates, and writes its audit row in the same transaction.

Sampling is reproducible: the candidates are read from the register in a fixed order (village code, household
number) and each stratum is drawn with its own ``random.Random`` seeded from the assessment's seed, the township and
the stratum, so the same seed over the same register gives the same sample; the register's fingerprint at the draw
is stored beside the seed so a later draw shows whether the register has changed.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import uuid
from collections import defaultdict
from decimal import Decimal, InvalidOperation

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from fupin.audit.services import record_change, record_created_frame, snapshot
from fupin.core.scope import in_scope
from fupin.regions.models import Level, Region, applies_to, code_prefix, specificity
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household

from .access import ensure_can_manage, ensure_can_survey
from .choices import NO, YES, AssessmentStatus, HouseholdStratum, QuestionKind, Rate, VillageStratum
from .models import Answer, AnswerSheet, Assessment, AssessmentGate, Question, SampleHousehold, SampleVillage

MAX_SEED = 2**53  # a seed stays exact in a JSON number


def new_seed() -> int:
    return secrets.randbelow(MAX_SEED)


def township_of(code: str) -> str:
    return code_prefix(code, Level.TOWNSHIP).ljust(12, "0")


def stratum_of(status: str, monitoring_kind: str) -> str:
    if monitoring_kind:
        return HouseholdStratum.MONITORED
    if status == HouseholdStatus.EXITED:
        return HouseholdStratum.EXITED
    if status in HouseholdStatus.IN_POVERTY:
        return HouseholdStratum.POOR
    return HouseholdStratum.ORDINARY


# --- assessments --------------------------------------------------------------------------------------------------


@transaction.atomic
def save_assessment(assessment: Assessment, *, acting_user, channel, enumerators=None) -> Assessment:
    """Create or change an assessment; a new one gets a seed (unless given) and a copy of the default
    questionnaire. The sample sizes are fixed once drawn, until a re-draw."""
    ensure_can_manage(acting_user, assessment.region_id or "")
    errors = {}
    region = Region.objects.filter(code=assessment.region_id).first()
    if region is None or region.level not in (Level.COUNTY, Level.TOWNSHIP):
        errors["region"] = "评估区划应为县或乡镇"
    before = None
    if assessment.pk:
        original = Assessment.objects.select_for_update().get(pk=assessment.pk)
        ensure_can_manage(acting_user, original.region_id)
        before = snapshot(original)
        if original.draws and any(getattr(original, f) != getattr(assessment, f) for f in SIZE_FIELDS + ("region_id",)):
            errors["__all__"] = "已抽样的评估不能修改区划和样本量，请先修改后重新抽样"
    else:
        if assessment.seed is None:
            assessment.seed = new_seed()
        assessment.created_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    if assessment.seed is not None and not 0 <= assessment.seed < MAX_SEED:
        errors["seed"] = f"随机种子应为 0 至 {MAX_SEED - 1} 之间的整数"
    if errors:
        raise ValidationError(errors)
    assessment.full_clean()
    creating = assessment.pk is None
    assessment.save()
    note = ""
    if enumerators is not None:
        prefix = Region.objects.get(code=assessment.region_id).prefix
        outside = [u.full_name or u.username for u in enumerators
                   if not (u.region_id and (u.region_id.startswith(prefix) or in_scope(u, assessment.region_id)))]
        if outside:
            raise ValidationError({"enumerators": f"调查员不在评估区划内：{'、'.join(outside)}"})
        assessment.enumerators.set(enumerators)
        note = ("调查员：" + ("、".join(u.full_name or u.username for u in enumerators) or "无"))[:200]
    if creating:
        copy_default_questions(assessment)
    record_change(assessment, before=before, acting_user=acting_user, channel=channel, note=note)
    return assessment


SIZE_FIELDS = ("poor_villages", "non_poor_villages", "exited_households", "poor_households", "monitored_households",
               "ordinary_households")


def copy_default_questions(assessment: Assessment) -> None:
    """The default questionnaire (rows without an assessment) copied into a new assessment, editable there."""
    Question.objects.bulk_create([
        Question(assessment=assessment, code=q.code, text=q.text, kind=q.kind, choices=q.choices, feeds=q.feeds,
                 counts_when=q.counts_when, strata=q.strata, required=q.required, position=q.position)
        for q in Question.objects.filter(assessment=None)
    ])


@transaction.atomic
def close_assessment(assessment: Assessment, *, acting_user, channel) -> Assessment:
    ensure_can_manage(acting_user, assessment.region_id)
    before = snapshot(assessment)
    assessment.status = AssessmentStatus.CLOSED
    assessment.save(update_fields=["status", "updated"])
    record_change(assessment, before=before, acting_user=acting_user, channel=channel, note="结束评估")
    return assessment


# --- the sample ---------------------------------------------------------------------------------------------------


def _rng(seed: int, township: str, stratum: str, village: str = "") -> random.Random:
    return random.Random(f"{seed}:{township}:{village}:{stratum}")


def _draw(seed: int, township: str, stratum: str, candidates: list, size: int, village: str = "") -> list:
    """``size`` of the candidates (already in a fixed order) in drawn order; all of them when there are fewer."""
    if size >= len(candidates):
        return list(candidates)
    return _rng(seed, township, stratum, village).sample(candidates, size)


def plan_sample(assessment: Assessment) -> tuple[list[dict], list[dict], str]:
    """The sample the assessment's seed draws from the register as it is now: (villages, households, the
    register's fingerprint). Two queries, no per-row reads."""
    prefix = assessment.region.prefix
    villages = list(Region.objects.filter(level=Level.VILLAGE, active=True, code__in_region=prefix)
                    .order_by("code").values_list("code", "is_poor_village"))
    by_town = defaultdict(lambda: defaultdict(list))
    for code, poor in villages:
        by_town[township_of(code)][VillageStratum.POOR if poor else VillageStratum.NON_POOR].append(code)
    chosen = []
    for town in sorted(by_town):
        for stratum in VillageStratum.values:
            picked = _draw(assessment.seed, town, stratum, by_town[town][stratum], assessment.size_for(stratum))
            chosen += [{"village_id": code, "township_code": town, "stratum": stratum, "position": i}
                       for i, code in enumerate(picked, start=1)]
    rows = list(Household.objects.filter(village_id__in=[v["village_id"] for v in chosen])
                .exclude(status=HouseholdStatus.CANCELLED).order_by("village_id", "number")
                .values_list("pk", "village_id", "number", "status", "monitoring_kind", "size"))
    digest = hashlib.sha256()
    for code, poor in villages:
        digest.update(f"v{code}{int(poor)}\n".encode())
    members = defaultdict(lambda: defaultdict(list))
    figures = defaultdict(lambda: {"households": 0, "rural_people": 0, "unregistered_people": 0,
                                   "remaining_poor_people": 0})
    for pk, village, number, status, kind, size in rows:
        digest.update(f"h{pk}{number}{status}{kind}{size}\n".encode())
        stratum = stratum_of(status, kind)
        members[village][stratum].append((pk, status, size))
        f = figures[village]
        f["households"] += 1
        f["rural_people"] += size
        f["unregistered_people"] += size if status not in HouseholdStatus.REGISTERED else 0
        f["remaining_poor_people"] += size if status in HouseholdStatus.IN_POVERTY else 0
    households = []
    for v in chosen:
        v.update(figures[v["village_id"]])
        for stratum in HouseholdStratum.values:
            picked = _draw(assessment.seed, v["township_code"], stratum, members[v["village_id"]][stratum],
                           assessment.size_for(stratum), village=v["village_id"])
            households += [{"household_id": pk, "village_id": v["village_id"], "township_code": v["township_code"],
                            "stratum": stratum, "position": i, "people": size,
                            "registered": status in HouseholdStatus.REGISTERED,
                            "exited": status == HouseholdStatus.EXITED}
                           for i, (pk, status, size) in enumerate(picked, start=1)]
    return chosen, households, digest.hexdigest()


@transaction.atomic
def draw_sample(assessment: Assessment, *, acting_user, channel, seed: int | None = None, reason: str = "") -> dict:
    """Draw (or re-draw, with a reason) the sample and store it; answered sheets forbid a re-draw. Returns the
    counts and whether the register is the one the previous draw read."""
    assessment = Assessment.objects.select_for_update().select_related("region").get(pk=assessment.pk)
    ensure_can_manage(acting_user, assessment.region_id)
    if assessment.status == AssessmentStatus.CLOSED:
        raise ValidationError("评估已结束，不能重新抽样")
    if AnswerSheet.objects.filter(sample__assessment=assessment).exists():
        raise ValidationError("已有调查问卷提交，不能重新抽样")
    if assessment.draws and not reason.strip():
        raise ValidationError({"reason": "重新抽样须填写原因"})
    if seed is not None:
        if not 0 <= seed < MAX_SEED:
            raise ValidationError({"seed": f"随机种子应为 0 至 {MAX_SEED - 1} 之间的整数"})
        assessment.seed = seed
    before = snapshot(assessment)
    previous_digest = assessment.register_digest
    SampleHousehold.objects.filter(assessment=assessment).delete()
    SampleVillage.objects.filter(assessment=assessment).delete()
    villages, households, digest = plan_sample(assessment)
    made = SampleVillage.objects.bulk_create([SampleVillage(assessment=assessment, **v) for v in villages])
    ids = {v.village_id: v.pk for v in made}
    SampleHousehold.objects.bulk_create([
        SampleHousehold(assessment=assessment, sample_village_id=ids[h["village_id"]], **h) for h in households])
    assessment.register_digest = digest
    assessment.drawn_at = timezone.now()
    assessment.draws += 1
    assessment.status = AssessmentStatus.SURVEYING
    assessment.save()
    note = (f"{'重新' if assessment.draws > 1 else ''}抽样：种子 {assessment.seed}，村 {len(villages)} 个，"
            f"户 {len(households)} 户" + (f"；原因：{reason.strip()}" if reason.strip() else ""))[:200]
    record_change(assessment, before=before, acting_user=acting_user, channel=channel, note=note)
    _audit_rows(SampleVillage, assessment, ("assessment", "village", "stratum", "position"), acting_user, channel, note)
    _audit_rows(SampleHousehold, assessment, ("assessment", "household", "village", "stratum", "position", "people"),
                acting_user, channel, note)
    return {"villages": len(villages), "households": len(households), "seed": assessment.seed,
            "same_register": previous_digest == digest if previous_digest else None}


def _audit_rows(model, assessment, fields, acting_user, channel, note) -> None:
    attnames = ["id", *(model._meta.get_field(f).attname for f in fields)]
    rows = list(model.objects.filter(assessment=assessment).values_list(*attnames))
    if not rows:
        return
    frame = pl.DataFrame(rows, schema=attnames, orient="row")
    record_created_frame(model, frame, fields=fields, acting_user=acting_user, channel=channel, note=note,
                         object_repr=pl.concat_str([pl.lit(f"{model._meta.verbose_name} #"),
                                                    pl.col("id").cast(pl.String)]))


# --- questionnaire ------------------------------------------------------------------------------------------------


def _check_question(question: Question) -> dict:
    errors = {}
    if question.kind == QuestionKind.CHOICE and len(question.choice_list) < 2:
        errors["choices"] = "单选题至少要有两个选项，用“、”分隔"
    allowed = {QuestionKind.YES_NO: [YES, NO], QuestionKind.CHOICE: question.choice_list}.get(question.kind)
    if question.feeds:
        if allowed is None:
            errors["feeds"] = "只有是/否题和单选题可以计入指标"
        elif not question.counting_values:
            errors["counts_when"] = "计入指标的题目须填写计入的回答"
        elif wrong := [v for v in question.counting_values if v not in allowed]:
            errors["counts_when"] = f"计入的回答“{'、'.join(wrong)}”不是本题的选项（{'、'.join(allowed)}）"
    unknown = [s for s in question.strata.split(",") if s.strip() and s.strip() not in HouseholdStratum.values]
    if unknown:
        errors["strata"] = f"未知的户层：{'、'.join(unknown)}"
    return errors


@transaction.atomic
def save_question(question: Question, *, acting_user, channel) -> Question:
    assessment = question.assessment
    if assessment is None:
        if acting_user is not None and not acting_user.is_superuser:
            raise PermissionDenied("默认问卷只能由系统管理员修改，请修改本次评估的问卷")
    else:
        ensure_can_manage(acting_user, assessment.region_id)
        if assessment.status == AssessmentStatus.CLOSED:
            raise ValidationError("评估已结束，不能修改问卷")
    before = None
    if question.pk:
        original = Question.objects.get(pk=question.pk)
        before = snapshot(original)
        if original.answers.exists() and (original.kind != question.kind or original.code != question.code):
            raise ValidationError({"kind": "已有回答的题目不能修改编号和题型"})
    if errors := _check_question(question):
        raise ValidationError(errors)
    question.full_clean()
    question.save()
    # Answers already given count under the question's counting answers as they now are.
    answers = Answer.objects.filter(question=question)
    if question.feeds and question.counting_values:
        answers.update(counts=ExpressionWrapper(Q(value__in=question.counting_values), output_field=BooleanField()))
    else:
        answers.update(counts=False)
    record_change(question, before=before, acting_user=acting_user, channel=channel)
    return question


@transaction.atomic
def delete_question(question: Question, *, acting_user, channel) -> None:
    ensure_can_manage(acting_user, question.assessment.region_id if question.assessment else "")
    if question.answers.exists():
        raise ValidationError("该题目已有回答，不能删除")
    record_change(question, before=snapshot(question), acting_user=acting_user, channel=channel, action="delete")
    question.delete()


def questions_for(sample: SampleHousehold) -> list[Question]:
    return [q for q in sample.assessment.questions.all() if q.applies_to(sample.stratum)]


# --- answer sheets ------------------------------------------------------------------------------------------------


def clean_answers(questions: list[Question], values: dict) -> dict[int, str]:
    """The answers by question id, each checked against its question; errors name the question."""
    errors, cleaned = {}, {}
    for q in questions:
        value = str(values.get(q.code, "") or "").strip()
        if not value:
            if q.required:
                errors[q.code] = f"{q.code}“{q.text}”必答"
            continue
        if q.kind == QuestionKind.YES_NO and value not in (YES, NO):
            errors[q.code] = f"{q.code} 应回答“是”或“否”"
        elif q.kind == QuestionKind.CHOICE and value not in q.choice_list:
            errors[q.code] = f"{q.code} 应为以下之一：{'、'.join(q.choice_list)}"
        elif q.kind == QuestionKind.NUMBER:
            try:
                number = Decimal(value)
                if not number.is_finite() or abs(number) >= 10**9:
                    raise InvalidOperation
            except InvalidOperation:
                errors[q.code] = f"{q.code} 应为数字"
        elif len(value) > 500:
            errors[q.code] = f"{q.code} 不能超过500个字"
        cleaned[q.pk] = value
    known = {q.code for q in questions}
    if extra := [code for code in values if code not in known]:
        errors["__all__"] = f"问卷中没有这些题目（或不适用于该户）：{'、'.join(sorted(extra))}"
    if errors:
        raise ValidationError(errors)
    return cleaned


def submit_sheet(sample: SampleHousehold, answers: dict, *, client_uuid, surveyed_on, respondent: str = "",
                 note: str = "", acting_user, channel) -> tuple[AnswerSheet, bool]:
    """Record a household's answers once. A resend with the same ``client_uuid`` answers the sheet already
    recorded (created False); a second sheet for the same household is refused."""
    try:
        client_uuid = uuid.UUID(str(client_uuid))
    except ValueError:
        raise ValidationError({"client_uuid": "问卷编号格式不正确"}) from None
    existing = AnswerSheet.objects.filter(client_uuid=client_uuid).select_related("sample").first()
    if existing is not None:
        if existing.sample_id != sample.pk:
            raise ValidationError({"client_uuid": "该问卷编号已用于另一户"})
        return existing, False
    try:
        with transaction.atomic():
            return _create_sheet(sample, answers, client_uuid, surveyed_on, respondent, note, acting_user,
                                 channel), True
    except IntegrityError:
        # Sent twice at the same moment: the other request recorded it.
        existing = AnswerSheet.objects.filter(client_uuid=client_uuid, sample=sample).first()
        if existing is None:
            raise ValidationError("该户问卷已提交，不能重复录入") from None
        return existing, False


def _create_sheet(sample, answers, client_uuid, surveyed_on, respondent, note, acting_user, channel) -> AnswerSheet:
    sample = SampleHousehold.objects.select_for_update().select_related("assessment", "household").get(pk=sample.pk)
    ensure_can_survey(acting_user, sample)
    if sample.assessment.status == AssessmentStatus.CLOSED:
        raise ValidationError("评估已结束，不能再提交问卷")
    if AnswerSheet.objects.filter(sample=sample).exists():
        raise ValidationError(f"{sample.household.head_name}户的问卷已提交，不能重复录入")
    if surveyed_on is None:
        raise ValidationError({"surveyed_on": "调查日期必填"})
    if surveyed_on > timezone.localdate():
        raise ValidationError({"surveyed_on": "调查日期不能晚于今天"})
    questions = questions_for(sample)
    cleaned = clean_answers(questions, answers)
    sheet = AnswerSheet(sample=sample, client_uuid=client_uuid, surveyed_on=surveyed_on,
                        respondent=(respondent or "")[:50], note=(note or "")[:300],
                        enumerator=acting_user if acting_user is not None and acting_user.is_authenticated else None)
    sheet.full_clean()
    sheet.client_uuid = str(client_uuid)  # as text, for the audit row (JSON)
    sheet.save()
    by_id = {q.pk: q for q in questions}
    Answer.objects.bulk_create([
        Answer(sheet=sheet, question_id=qid, value=value,
               counts=bool(by_id[qid].feeds) and value in by_id[qid].counting_values)
        for qid, value in cleaned.items()])
    summary = "；".join(f"{by_id[qid].code}={value}" for qid, value in cleaned.items() if by_id[qid].feeds)
    record_change(sheet, before=None, acting_user=acting_user, channel=channel, note=f"问卷回答：{summary}"[:200])
    return sheet


@transaction.atomic
def void_sheet(sheet: AnswerSheet, *, reason: str, acting_user, channel) -> None:
    """作废 a sheet filled in error (the household may then be surveyed again); county staff only, with a reason."""
    ensure_can_manage(acting_user, sheet.sample.assessment.region_id)
    if not reason.strip():
        raise ValidationError({"reason": "作废问卷须填写原因"})
    answers = "；".join(f"{a.question.code}={a.value}" for a in sheet.answers.select_related("question"))
    sheet.client_uuid = str(sheet.client_uuid)  # as text, for the audit row (JSON)
    record_change(sheet, before=snapshot(sheet), acting_user=acting_user, channel=channel, action="delete",
                  note=f"作废问卷：{reason.strip()}；原回答：{answers}"[:200])
    sheet.delete()


# --- gates --------------------------------------------------------------------------------------------------------


def gates(year: int | None, region_code: str) -> dict[str, AssessmentGate | None]:
    """The gate of each rate for a place and year (one query): the most specific region wins, then the exact
    year."""
    rows = [g for g in AssessmentGate.objects.filter(Q(year=year) | Q(year__isnull=True)).select_related("region")
            if applies_to(g, region_code)]
    return {rate: max((g for g in rows if g.rate == rate), key=lambda g: (specificity(g), g.year is not None),
                      default=None) for rate in Rate.values}


@transaction.atomic
def save_gate(item: AssessmentGate, *, acting_user, channel) -> AssessmentGate:
    if item.region_id is None:
        if acting_user is not None and not acting_user.is_superuser:
            raise PermissionDenied("全国默认门槛只能由系统管理员修改，请按本县设置")
    else:
        ensure_can_manage(acting_user, item.region_id)
    if item.value is not None and not Decimal(0) <= item.value <= 100:
        raise ValidationError({"value": "门槛应在0至100之间"})
    before = snapshot(AssessmentGate.objects.get(pk=item.pk)) if item.pk else None
    item.full_clean()
    item.save()
    record_change(item, before=before, acting_user=acting_user, channel=channel)
    return item

