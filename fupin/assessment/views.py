"""考核评估 pages: assessments, the sample (filters, Excel), the questionnaire editor, the phone survey (offline
queue), the results by township with their gates (Excel), and the gates. Thin callers of the services."""

from __future__ import annotations

import io
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.audit.services import history_for
from fupin.core import excel, hooks
from fupin.core.channels import Channel
from fupin.core.exports import XLSX
from fupin.core.forms import add_errors
from fupin.core.scope import user_scope_prefix
from fupin.jobs.exports import view as export_view

from . import rates, services
from .access import can_manage, can_survey
from .choices import HouseholdStratum, VillageStratum
from .filters import filter_samples
from .forms import AssessmentForm, DrawForm, GateForm, QuestionForm, VoidForm, survey_form
from .jobs import sample_export
from .models import AnswerSheet, Assessment, AssessmentGate, Question, SampleHousehold

PAGE = Channel.PAGE
PAGE_SIZE = 50


def _assessment(request, pk) -> Assessment:
    return get_object_or_404(Assessment.objects.visible_to(request.user).select_related("region"), pk=pk)


def _prefix(request, assessment) -> str:
    """The part of an assessment an account sees: its own region when narrower than the assessment's."""
    prefix = user_scope_prefix(request.user) or ""
    return prefix if len(prefix) > len(assessment.region.prefix) else ""


def assessment_list(request):
    queryset = Assessment.objects.visible_to(request.user).select_related("region")
    if (year := request.GET.get("year", "")).isdigit():
        queryset = queryset.filter(year=int(year))
    queryset = queryset.annotate(sampled=Count("households", distinct=True),
                                 surveyed=Count("households__sheet", distinct=True))
    page = Paginator(queryset.order_by("-year", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/list.html", {
        "page": page, "year": year, "can_create": can_manage(request.user, request.user.region_id or "-")})


def assessment_edit(request, pk=None):
    assessment = _assessment(request, pk) if pk else Assessment(region_id=request.user.region_id)
    if pk and not can_manage(request.user, assessment.region_id):
        raise PermissionDenied("只有县级扶贫部门可以修改考核评估")
    form = AssessmentForm(request.POST or None, instance=assessment, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.save_assessment(form.save(commit=False), acting_user=request.user, channel=PAGE,
                                            enumerators=list(form.cleaned_data["enumerators"]))
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已保存评估“{item.name}”")
            return redirect("assessment:detail", pk=item.pk)
    return render(request, "assessment/form.html", {"form": form, "title": "修改评估" if pk else "新建评估",
                                                    "assessment": assessment if pk else None})


def assessment_detail(request, pk):
    assessment = _assessment(request, pk)
    prefix = _prefix(request, assessment)
    samples = SampleHousehold.objects.filter(assessment=assessment).in_region(prefix)
    strata = {row["stratum"]: row for row in samples.values("stratum").annotate(
        n=Count("pk"), done=Count("sheet")).order_by()}
    villages = {row["stratum"]: row["n"] for row in assessment.villages.in_region(prefix)
                .values("stratum").annotate(n=Count("pk")).order_by()}
    return render(request, "assessment/detail.html", {
        "assessment": assessment, "can_manage": can_manage(request.user, assessment.region_id),
        "household_strata": [(label, strata.get(code, {}).get("n", 0), strata.get(code, {}).get("done", 0),
                              assessment.size_for(code)) for code, label in HouseholdStratum.choices],
        "village_strata": [(label, villages.get(code, 0), assessment.size_for(code))
                           for code, label in VillageStratum.choices],
        "enumerators": list(assessment.enumerators.select_related("region")),
        "draw_form": DrawForm(), "history": list(history_for(assessment)[:20]),
    })


@require_POST
def draw(request, pk):
    assessment = _assessment(request, pk)
    form = DrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for ms in form.errors.values() for m in ms))
        return redirect("assessment:detail", pk=pk)
    try:
        result = services.draw_sample(assessment, seed=form.cleaned_data["seed"], reason=form.cleaned_data["reason"],
                                      acting_user=request.user, channel=PAGE)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        same = {True: "，登记数据与上次抽样时相同", False: "，登记数据与上次抽样时不同", None: ""}[result["same_register"]]
        messages.success(request, f"已抽样：村 {result['villages']} 个，户 {result['households']} 户，"
                                  f"随机种子 {result['seed']}{same}")
    return redirect("assessment:detail", pk=pk)


@require_POST
def close(request, pk):
    assessment = _assessment(request, pk)
    try:
        services.close_assessment(assessment, acting_user=request.user, channel=PAGE)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "评估已结束")
    return redirect("assessment:detail", pk=pk)


# --- the sample ---------------------------------------------------------------------------------------------------


def sample_list(request):
    queryset, form = filter_samples(SampleHousehold.objects.visible_to(request.user), request.GET)
    assessment = None
    if form.is_valid():
        assessment = Assessment.objects.visible_to(request.user).filter(pk=form.cleaned_data["assessment"]).first()
    if assessment is None:
        queryset = queryset.none()
    queryset = queryset.select_related("household", "village", "sample_village", "sheet", "assessment")
    page = Paginator(queryset.order_by("township_code", "village_id", "stratum", "position"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/samples.html", {
        "form": form, "page": page, "assessment": assessment, "export_url": reverse("assessment:sample_export")})


sample_export_view = export_view(sample_export)


# --- the questionnaire --------------------------------------------------------------------------------------------


def questions(request, pk, question_pk=None):
    """The questionnaire of an assessment, with the form to add a question or change one."""
    assessment = _assessment(request, pk)
    editable = can_manage(request.user, assessment.region_id)
    question = (get_object_or_404(Question, pk=question_pk, assessment=assessment) if question_pk
                else Question(assessment=assessment, position=assessment.questions.count() + 1))
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("只有县级扶贫部门可以修改问卷")
        if form.is_valid():
            try:
                services.save_question(form.save(commit=False), acting_user=request.user, channel=PAGE)
            except (PermissionDenied, ValidationError) as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已保存题目")
                return redirect("assessment:questions", pk=pk)
    return render(request, "assessment/questions.html", {
        "assessment": assessment, "questions": list(assessment.questions.annotate(n=Count("answers"))),
        "form": form, "editing": question_pk, "editable": editable})


@require_POST
def question_delete(request, question_pk):
    question = get_object_or_404(Question.objects.visible_to(request.user).select_related("assessment"),
                                 pk=question_pk)
    try:
        services.delete_question(question, acting_user=request.user, channel=PAGE)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"已删除题目 {question.code}")
    return redirect("assessment:questions", pk=question.assessment_id)


# --- the survey on a phone ----------------------------------------------------------------------------------------


def my_surveys(request):
    """The enumerator's page: the sampled households of the open assessments the account surveys, in its scope."""
    mine = Assessment.objects.visible_to(request.user).filter(status="surveying")
    if not can_manage(request.user, request.user.region_id or "-"):
        mine = mine.filter(enumerators=request.user)
    assessments = list(mine.select_related("region"))
    chosen = next((a for a in assessments if str(a.pk) == request.GET.get("assessment")),
                  assessments[0] if assessments else None)
    rows = SampleHousehold.objects.none()
    if chosen is not None:
        rows = (SampleHousehold.objects.visible_to(request.user).filter(assessment=chosen)
                .select_related("household", "village", "sheet"))
        if request.GET.get("todo") == "1":
            rows = rows.filter(sheet__isnull=True)
    page = Paginator(rows.order_by("township_code", "village_id", "stratum", "position"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/my_surveys.html", {"assessments": assessments, "chosen": chosen,
                                                          "page": page, "todo": request.GET.get("todo") == "1"})


def _sample(request, sample_pk) -> SampleHousehold:
    return get_object_or_404(SampleHousehold.objects.visible_to(request.user)
                             .select_related("assessment__region", "household", "village"), pk=sample_pk)


def survey(request, sample_pk):
    """The mobile form of one sampled household; the browser queues it (survey_sync), or posts it here."""
    sample = _sample(request, sample_pk)
    sheet = AnswerSheet.objects.filter(sample=sample).select_related("enumerator").first()
    questions_ = services.questions_for(sample)
    form = survey_form(questions_, request.POST or None)
    if request.method == "POST" and sheet is None and form.is_valid():
        try:
            _submit(request, sample, form.cleaned_data, request.POST.get("client_uuid"), questions_)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已提交 {sample.household.head_name}户 的问卷")
            return redirect(f"{reverse('assessment:my_surveys')}?assessment={sample.assessment_id}")
    answers = list(sheet.answers.select_related("question").order_by("question__position")) if sheet else []
    return render(request, "assessment/survey.html", {
        "sample": sample, "sheet": sheet, "answers": answers, "form": form,
        "may_survey": can_survey(request.user, sample), "void_form": VoidForm(),
        "can_manage": can_manage(request.user, sample.assessment.region_id)})


def _submit(request, sample, data, client_uuid, questions_):
    values = {q.code: "" if data.get(q.code) is None else str(data[q.code]) for q in questions_}
    return services.submit_sheet(sample, values, client_uuid=client_uuid or uuid.uuid4(),
                                 surveyed_on=data["surveyed_on"], respondent=data.get("respondent", ""),
                                 note=data.get("note", ""), acting_user=request.user, channel=PAGE)


@require_POST
def survey_sync(request, sample_pk):
    """One queued answer sheet from the phone (with its ``client_uuid``): 201 when recorded, 200 when it had been
    recorded already, 400 with the reason in Chinese."""
    sample = _sample(request, sample_pk)
    questions_ = services.questions_for(sample)
    form = survey_form(questions_, request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "；".join(f"{form.fields[f].label}：{m}" if f in form.fields else m
                                                for f, ms in form.errors.items() for m in ms)}, status=400)
    if not request.POST.get("client_uuid"):
        return JsonResponse({"error": "缺少问卷编号"}, status=400)
    try:
        sheet, created = _submit(request, sample, form.cleaned_data, request.POST["client_uuid"], questions_)
    except ValidationError as exc:
        return JsonResponse({"error": "；".join(exc.messages)}, status=400)
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    return JsonResponse({"sheet": sheet.pk, "created": created}, status=201 if created else 200)


@require_POST
def sheet_void(request, sheet_pk):
    sheet = get_object_or_404(AnswerSheet.objects.visible_to(request.user).select_related("sample__assessment"),
                              pk=sheet_pk)
    form = VoidForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("作废问卷须填写原因")
        services.void_sheet(sheet, reason=form.cleaned_data["reason"], acting_user=request.user, channel=PAGE)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, "问卷已作废，可重新调查")
    return redirect("assessment:survey", sample_pk=sheet.sample_id)


# --- results ------------------------------------------------------------------------------------------------------


def results(request, pk):
    assessment = _assessment(request, pk)
    prefix = _prefix(request, assessment)
    return render(request, "assessment/results.html", {
        "assessment": assessment, "results": rates.results(assessment, prefix),
        "findings": rates.findings_queryset(assessment, prefix).select_related("village")[:200]})


RESULT_COLUMNS = [excel.Col("区划", excel.TEXT, 16), excel.Col("抽样户数", excel.NUMBER),
                  excel.Col("已调查户数", excel.NUMBER)]


def results_export(request, pk):
    assessment = _assessment(request, pk)
    rows = rates.results(assessment, _prefix(request, assessment))
    columns = list(RESULT_COLUMNS)
    for figure in rows[0].figures:
        columns += [excel.Col(f"{figure.label}分子", excel.NUMBER), excel.Col(f"{figure.label}分母", excel.NUMBER),
                    excel.Col(f"{figure.label}（%）", excel.TEXT), excel.Col(f"{figure.label}门槛", excel.TEXT),
                    excel.Col(f"{figure.label}结论", excel.TEXT)]
    buffer = io.BytesIO()
    with excel.XlsxStream(buffer) as out:
        out.add_sheet("三率一度", columns)
        for result in rows:
            values = [result.name, result.sampled, result.surveyed]
            for f in result.figures:
                values += [f.numerator, f.denominator, "" if f.value is None else f"{f.value}", f.gate_text,
                           f.verdict]
            out.write_row(values)
    hooks.record_export(request.user, title=f"三率一度·{assessment.name}", model_name="assessment", count=len(rows),
                        full=False, masked=False, channel=PAGE, filters=f"评估批次 {assessment.pk}")
    buffer.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(buffer, as_attachment=True, filename=f"三率一度_{assessment.name}_{stamp}.xlsx",
                        content_type=XLSX)


# --- gates --------------------------------------------------------------------------------------------------------


def gates(request, gate_pk=None):
    rows = AssessmentGate.objects.filter(Q(region__isnull=True) | Q(pk__in=AssessmentGate.objects.visible_to(
        request.user).values("pk"))).select_related("region")
    editable = can_manage(request.user, request.user.region_id or "-") or request.user.is_superuser
    item = get_object_or_404(rows, pk=gate_pk) if gate_pk else AssessmentGate(region_id=request.user.region_id)
    form = GateForm(request.POST or None, instance=item, user=request.user)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("只有县级扶贫部门可以设置门槛")
        if form.is_valid():
            try:
                services.save_gate(form.save(commit=False), acting_user=request.user, channel=PAGE)
            except (PermissionDenied, ValidationError) as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已保存门槛")
                return redirect("assessment:gates")
    return render(request, "assessment/gates.html", {"rows": rows, "form": form, "editable": editable,
                                                     "editing": gate_pk})
