"""Procedure pages: thin callers of the services over querysets scoped with visible_to()."""

import tempfile
from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.audit.models import Channel
from fupin.core import throttle
from fupin.core.redirects import safe_next
from fupin.dictionaries.services import labels
from fupin.regions.models import Level, Region, region_prefix
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household

from . import adjustment as adjustments
from . import definitions, lines, notices, services, workdays
from .filters import filter_procedures
from .forms import (
    AdjustmentOpenForm,
    AnswerForm,
    AttachmentForm,
    CalendarDayForm,
    CalendarImportForm,
    CandidateDecisionForm,
    CandidateFilterForm,
    DecisionForm,
    DefinitionForm,
    EndPoliciesFilterForm,
    LineForm,
    NoticeEditForm,
    NoticeForm,
    ObjectionForm,
    ReasonForm,
    StartForm,
    StepFormSet,
    WithdrawForm,
)
from .models import (
    Adjustment,
    Attachment,
    AttachmentKind,
    CalendarDay,
    Candidate,
    CandidateStatus,
    Kind,
    Notice,
    NoticeKind,
    NoticeStatus,
    Objection,
    PovertyLine,
    Procedure,
    ProcedureDefinition,
    ProcedureStep,
    Status,
    StepStatus,
    kind_label,
)

PAGE = Channel.PAGE
PAGE_SIZE = 50


def _messages_of(exc) -> list[str]:
    return [str(exc)] if isinstance(exc, PermissionDenied) else list(exc.messages)


def _flash(request, exc) -> None:
    for message in _messages_of(exc):
        messages.error(request, message)


# --- procedures ---------------------------------------------------------------------------------------------------


def procedure_list(request):
    queryset = Procedure.objects.visible_to(request.user).select_related("household", "village")
    queryset, form = filter_procedures(queryset, request.GET, request.user)
    page = Paginator(queryset.order_by("-created", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    current = {
        s.procedure_id: s
        for s in ProcedureStep.objects.filter(procedure__in=[p.pk for p in page], status=StepStatus.ACTIVE)
    }
    calendars = workdays.Calendars()
    for procedure in page:
        procedure.active_step = current.get(procedure.pk)
        if procedure.active_step is not None:
            procedure.active_step.clock = calendars.clock(procedure.active_step, procedure.village_id)
    return render(request, "procedures/procedure_list.html", {
        "page": page, "form": form,
        "todo_count": services.todo_steps(request.user).count(),
        "overdue_count": services.overdue_steps(request.user).count(),
    })


def procedure_start(request, household_pk):
    household = get_object_or_404(Household.objects.visible_to(request.user).select_related("village"),
                                  pk=household_pk)
    kind = request.GET.get("kind") or request.POST.get("kind")
    if kind not in Kind.values:
        return render(request, "procedures/procedure_start.html", {"household": household, "kinds": Kind.choices})
    initial = {"year": _default_year(household)}
    form = StartForm(request.POST or None, kind=kind, household=household, initial=initial)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.start_procedure(
                kind, household, year=form.cleaned_data["year"], details=form.details(),
                reason=form.cleaned_data.get("reason", ""), acting_user=request.user, channel=PAGE,
            )
        except (ValidationError, PermissionDenied) as exc:
            problems = _messages_of(exc)
        else:
            messages.success(request, f"已发起{procedure}")
            return redirect("procedures:detail", procedure.pk)
    return render(request, "procedures/procedure_start.html", {
        "household": household, "kind": kind, "kind_label": kind_label(kind), "form": form, "problems": problems,
    })


def _default_year(household) -> int:
    """The open adjustment's year for the county, else the latest accounted year, else last year."""
    open_year = Adjustment.objects.filter(
        county_id=services.county_code(household.village_id), status="open"
    ).order_by("-year").values_list("year", flat=True).first()
    latest = household.income_accounts.order_by("-year").values_list("year", flat=True).first()
    return open_year or latest or timezone.localdate().year - 1


def _procedure(request, pk) -> Procedure:
    return get_object_or_404(
        Procedure.objects.visible_to(request.user).select_related("household", "village", "definition", "started_by"),
        pk=pk,
    )


def procedure_detail(request, pk):
    procedure = _procedure(request, pk)
    steps = list(procedure.steps.prefetch_related("attachments__kind"))
    step = next((s for s in steps if s.order == procedure.current_order), None)
    can_act = False
    if step is not None:
        try:
            services.ensure_actor(request.user, procedure, step)
            can_act = True
        except PermissionDenied:
            pass
    blockers = []
    if can_act:
        if missing := services.missing_attachments(step):
            blockers.append(f"缺少必传附件：{'、'.join(missing)}")
        if step.is_notice:
            blockers += services.notice_problems(procedure, step)
    first_level = steps[0].actor_level if steps else None
    calendar = workdays.WorkCalendar(procedure.village_id)
    for each in steps:
        each.clock = workdays.clock(each, calendar)
    return render(request, "procedures/procedure_detail.html", {
        "procedure": procedure, "household": procedure.household, "steps": steps, "step": step,
        "can_act": can_act, "blockers": blockers,
        "can_withdraw": procedure.is_open and request.user.can_write and services.user_level(request.user) == first_level,
        "actions": procedure.actions.select_related("step"),
        "notice_items": procedure.notice_items.select_related("notice"),
        "decision_form": DecisionForm(initial={"decision": "pass"}),
        "attachment_form": AttachmentForm(initial={"kind": (step.required_kinds or ["other"])[0]} if step else None),
        "withdraw_form": WithdrawForm(),
        "kind_names": dict(AttachmentKind.objects.values_list("code", "name")),
        "L": {"category": labels("household_category"), "status": labels("household_status"),
              "cause": labels("poverty_cause")},
    })


@require_POST
def procedure_decide(request, pk):
    procedure = _procedure(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择办理结果")
        return redirect("procedures:detail", pk)
    try:
        procedure = services.decide(procedure, form.cleaned_data["decision"], comment=form.cleaned_data["comment"],
                                    acting_user=request.user, channel=PAGE)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        if procedure.status == Status.APPROVED:
            messages.success(request, f"{procedure}已审批通过，户信息已更新")
        else:
            messages.success(request, "已办理")
    return redirect("procedures:detail", pk)


@require_POST
def procedure_attach(request, pk):
    procedure = _procedure(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("procedures:detail", pk)
    try:
        services.add_attachment(procedure, form.cleaned_data["kind"].code, form.cleaned_data["file"],
                                acting_user=request.user, channel=PAGE)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, "附件已上传")
    return redirect("procedures:detail", pk)


@require_POST
def procedure_withdraw(request, pk):
    procedure = _procedure(request, pk)
    try:
        services.withdraw(procedure, reason=request.POST.get("reason", ""), acting_user=request.user, channel=PAGE)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, "程序已撤回")
    return redirect("procedures:detail", pk)


def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("附件文件不存在") from exc
    return FileResponse(handle, as_attachment=False, filename=attachment.original_name)


# --- notices --------------------------------------------------------------------------------------------------------


def notice_list(request):
    queryset = Notice.objects.visible_to(request.user).select_related("region").annotate(
        households=Count("items", distinct=True),
        open_objections=Count("objections", filter=Q(objections__status="open"), distinct=True),
    )
    page = Paginator(queryset.order_by("-start_date", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "procedures/notice_list.html", {
        "page": page, "eligible": notices.eligible_procedures(request.user).count()
        if services.user_level(request.user) else 0,
    })


def notice_create(request):
    kind = request.POST.get("kind") or request.GET.get("kind") or NoticeKind.PUBLICITY
    eligible = list(notices.eligible_procedures(request.user, kind)[:notices.MAX_NOTICE_ITEMS])
    form = NoticeForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        chosen = set(map(int, request.POST.getlist("procedures")))
        try:
            notice = notices.create_notice(
                kind=form.cleaned_data["kind"], procedures=[p for p in eligible if p.pk in chosen],
                start_date=form.cleaned_data["start_date"], end_date=form.cleaned_data["end_date"],
                title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                contact=form.cleaned_data["contact"], acting_user=request.user, channel=PAGE,
            )
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, "公示草稿已生成，请核对后发布")
            return redirect("procedures:notice_detail", notice.pk)
    return render(request, "procedures/notice_form.html", {"form": form, "eligible": eligible, "kind": kind})


def _notice(request, pk) -> Notice:
    return get_object_or_404(Notice.objects.visible_to(request.user).select_related("region"), pk=pk)


def notice_detail(request, pk):
    notice = _notice(request, pk)
    return render(request, "procedures/notice_detail.html", {
        "notice": notice, "items": notice.items.select_related("procedure"), "warnings": notices.draft_warnings(notice),
        "objections": notice.objections.select_related("item", "answered_by"),
        "answer_form": AnswerForm(), "public_url": request.build_absolute_uri(f"/public/notices/{notice.pk}/"),
    })


def notice_edit(request, pk):
    notice = _notice(request, pk)
    if notice.status != NoticeStatus.DRAFT:
        messages.error(request, "已发布的公示不能修改")
        return redirect("procedures:notice_detail", pk)
    fields = ("title", "start_date", "end_date", "contact", "body")
    form = NoticeEditForm(request.POST or None, initial={name: getattr(notice, name) for name in fields})
    if request.method == "POST" and form.is_valid():
        try:
            notices.update_draft(notice, **{name: form.cleaned_data[name] for name in fields},
                                 acting_user=request.user, channel=PAGE)
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, "草稿已修改")
            return redirect("procedures:notice_detail", pk)
    return render(request, "procedures/notice_edit.html", {
        "form": form, "notice": notice, "warnings": notices.draft_warnings(notice)})


@require_POST
def notice_publish(request, pk):
    notice = _notice(request, pk)
    try:
        notices.publish_notice(notice, acting_user=request.user, channel=PAGE)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, "已发布，公开页面可以看到")
    return redirect("procedures:notice_detail", pk)


@require_POST
def notice_delete(request, pk):
    notice = _notice(request, pk)
    try:
        notices.delete_draft(notice, acting_user=request.user, channel=PAGE)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
        return redirect("procedures:notice_detail", pk)
    messages.success(request, "草稿已删除")
    return redirect("procedures:notice_list")


def _pdf_response(notice) -> HttpResponse:
    response = HttpResponse(notices.notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=notice-{notice.pk}.pdf"
    return response


def notice_pdf(request, pk):
    return _pdf_response(_notice(request, pk))


@require_POST
def objection_answer(request, pk):
    objection = get_object_or_404(Objection.objects.visible_to(request.user), pk=pk)
    try:
        notices.answer_objection(objection, answer=request.POST.get("answer", ""), acting_user=request.user,
                                 channel=PAGE)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, "已答复，该户的公示暂停已解除")
    return redirect("procedures:notice_detail", objection.notice_id)


# --- public pages (no login) -------------------------------------------------------------------------------------


def public_notice_list(request):
    region_code = request.GET.get("region", "").strip()
    counties = Region.objects.filter(level=Level.COUNTY, active=True).order_by("code")
    return render(request, "procedures/public_notice_list.html", {
        "notices": notices.active_notices(region_code)[:200], "region_code": region_code,
        "region": Region.objects.filter(code=region_code).first() if region_code else None, "counties": counties,
    })


def _public_notice(pk) -> Notice:
    notice = get_object_or_404(Notice.objects.select_related("region"), pk=pk, status=NoticeStatus.PUBLISHED)
    if notice.start_date > timezone.localdate():
        raise Http404("公示尚未开始")
    return notice


def public_notice_detail(request, pk):
    notice = _public_notice(pk)
    if request.method == "POST" and (refused := throttle.refused(
            request, objection_ip=throttle.client_ip(request), objection_notice=notice.pk)):
        return refused
    form = ObjectionForm(request.POST or None, notice=notice)
    lodged = False
    if request.method == "POST" and form.is_valid():
        try:
            notices.lodge_objection(notice, item_id=form.cleaned_data["item"], name=form.cleaned_data["name"],
                                    contact=form.cleaned_data["contact"], content=form.cleaned_data["content"],
                                    acting_user=request.user, channel="public")
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            lodged = True
            form = ObjectionForm(notice=notice)
    return render(request, "procedures/public_notice_detail.html", {
        "notice": notice, "items": notice.items.all(), "form": form, "lodged": lodged,
    })


def public_notice_pdf(request, pk):
    return _pdf_response(_public_notice(pk))


# --- poverty lines and definitions ------------------------------------------------------------------------------


def line_list(request):
    queryset = PovertyLine.objects.select_related("region").order_by("kind", "-year", "region")
    return render(request, "procedures/line_list.html", {"lines": queryset, "form": LineForm()})


def line_edit(request, pk=None):
    line = get_object_or_404(PovertyLine, pk=pk) if pk else PovertyLine()
    form = LineForm(request.POST or None, instance=line)
    if request.method == "POST" and form.is_valid():
        line = form.save(commit=False)
        line.region = form.cleaned_data["region_code"]
        try:
            lines.save_line(line, acting_user=request.user, channel=PAGE)
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, f"已保存：{line}")
            return redirect("procedures:line_list")
    return render(request, "procedures/line_form.html", {"form": form, "line": line})


@require_POST
def line_delete(request, pk):
    line = get_object_or_404(PovertyLine, pk=pk)
    try:
        lines.delete_line(line, acting_user=request.user, channel=PAGE)
    except PermissionDenied as exc:
        _flash(request, exc)
    else:
        messages.success(request, "已删除")
    return redirect("procedures:line_list")


def definition_list(request):
    queryset = ProcedureDefinition.objects.select_related("region").prefetch_related("steps")
    return render(request, "procedures/definition_list.html", {"definitions": queryset})


def definition_edit(request, pk):
    definition = get_object_or_404(ProcedureDefinition.objects.select_related("region"), pk=pk)
    initial_steps = [{**s, "attachment_kinds": [k for k in s["attachment_kinds"].split(",") if k]}
                     for s in definitions.steps_of(definition)]
    form = DefinitionForm(request.POST or None, initial={
        "name": definition.name, "description": definition.description, "active": definition.active})
    formset = StepFormSet(request.POST or None, initial=initial_steps, prefix="steps")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        steps = [
            {**f.cleaned_data, "attachment_kinds": ",".join(k.code for k in f.cleaned_data["attachment_kinds"])}
            for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        for step in steps:
            step.pop("DELETE", None)
        definition.name = form.cleaned_data["name"]
        definition.description = form.cleaned_data["description"]
        definition.active = form.cleaned_data["active"]
        try:
            definitions.save_definition(definition, steps, acting_user=request.user, channel=PAGE)
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, "流程已保存；已发起的程序仍按原流程办理")
            return redirect("procedures:definition_list")
    return render(request, "procedures/definition_form.html",
                  {"definition": definition, "form": form, "formset": formset})


@require_POST
def definition_copy(request, pk):
    definition = get_object_or_404(ProcedureDefinition, pk=pk)
    region = request.user.region
    while region is not None and region.level > Level.COUNTY:
        region = region.parent
    try:
        copy = definitions.copy_definition(definition, region, acting_user=request.user, channel=PAGE)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
        return redirect("procedures:definition_list")
    messages.success(request, f"已复制为{region.name}本地流程，可在此修改")
    return redirect("procedures:definition_edit", copy.pk)


# --- yearly adjustment -------------------------------------------------------------------------------------------


def adjustment_list(request):
    queryset = adjustments.visible_adjustments(request.user).select_related("county")
    form = AdjustmentOpenForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
    if request.method == "POST" and form.is_valid():
        try:
            opened = adjustments.open_adjustment(request.user.region, form.cleaned_data["year"],
                                                 acting_user=request.user, channel=PAGE)
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, f"已开启{opened}")
            return redirect("procedures:adjustment_detail", opened.pk)
    return render(request, "procedures/adjustment_list.html", {
        "adjustments": queryset.order_by("-year"), "form": form,
        "can_open": services.user_level(request.user) == Level.COUNTY and request.user.can_write,
    })


def _adjustment(request, pk) -> Adjustment:
    return get_object_or_404(adjustments.visible_adjustments(request.user).select_related("county"), pk=pk)


def adjustment_detail(request, pk):
    adjustment = _adjustment(request, pk)
    candidates = Candidate.objects.visible_to(request.user).filter(adjustment=adjustment)
    filters = CandidateFilterForm(request.GET or None)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["kind"]:
            candidates = candidates.filter(kind=data["kind"])
        if data["status"]:
            candidates = candidates.filter(status=data["status"])
        if data["region"]:
            candidates = candidates.in_region(region_prefix(data["region"]))
    counts = {}
    for row in Candidate.objects.visible_to(request.user).filter(adjustment=adjustment).values("kind", "status") \
            .annotate(n=Count("pk")).order_by():
        counts.setdefault(row["kind"], {})[row["status"]] = row["n"]
    page = Paginator(candidates.select_related("household", "village", "procedure").order_by("village", "household"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    level = services.user_level(request.user)
    return render(request, "procedures/adjustment_detail.html", {
        "adjustment": adjustment, "page": page, "filters": filters,
        "counts": [(Kind(k).label, counts.get(k, {})) for k in Kind.values],
        "statuses": CandidateStatus.choices,
        "is_county": level == Level.COUNTY and request.user.can_write,
        "is_village": level == Level.VILLAGE and request.user.can_write,
        "can_start": level is not None and request.user.can_write,
        "decision_form": CandidateDecisionForm(), "reason_form": ReasonForm(),
        "events": adjustment.events.all(),
        "close_problems": adjustments.close_problems(adjustment) if adjustment.is_open else [],
        "summary": adjustments.snapshot_summary(adjustment) if not adjustment.is_open else None,
        "status_labels": labels("household_status"),
    })


def _queue(request, pk, queue):
    adjustment = _adjustment(request, pk)
    try:
        job = queue(adjustment, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
        return redirect("procedures:adjustment_detail", pk)
    messages.success(request, f"已提交后台任务：{job.title}")
    return redirect("jobs:detail", job.pk)


@require_POST
def adjustment_propose(request, pk):
    return _queue(request, pk, adjustments.queue_propose)


@require_POST
def adjustment_start(request, pk):
    return _queue(request, pk, adjustments.queue_start)


@require_POST
def adjustment_close(request, pk):
    adjustment = _adjustment(request, pk)
    try:
        result = adjustments.close_adjustment(adjustment, acting_user=request.user, channel=PAGE)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"已关闭并锁定{result['households']}户的年度数据")
    return redirect("procedures:adjustment_detail", pk)


@require_POST
def adjustment_reopen(request, pk):
    adjustment = _adjustment(request, pk)
    try:
        adjustments.reopen_adjustment(adjustment, reason=request.POST.get("reason", ""), acting_user=request.user,
                                      channel=PAGE)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, "已重新开启，原因已记录")
    return redirect("procedures:adjustment_detail", pk)


@require_POST
def candidates_decide(request, pk):
    adjustment = _adjustment(request, pk)
    form = CandidateDecisionForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("candidates") if i.isdigit()]
    if not ids:
        messages.error(request, "请先勾选候选户")
    elif form.is_valid():
        try:
            n = adjustments.decide_candidates(
                Candidate.objects.filter(adjustment=adjustment, pk__in=ids),
                confirm=form.cleaned_data["decision"] == "confirm", reason=form.cleaned_data["reason"],
                details=form.details(), acting_user=request.user, channel=PAGE,
            )
        except (ValidationError, PermissionDenied) as exc:
            _flash(request, exc)
        else:
            messages.success(request, f"已处理{n}户")
    return redirect(safe_next(request, request.POST.get("next")) or "procedures:adjustment_detail", pk)


def end_policies(request):
    """过渡期结束: the county picks exited households still enjoying policies and ends them with a reason."""
    queryset = Household.objects.visible_to(request.user).filter(status=HouseholdStatus.EXITED, enjoys_policy=True)
    filters = EndPoliciesFilterForm(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data["region"]:
            queryset = queryset.in_region(region_prefix(filters.cleaned_data["region"]))
        if filters.cleaned_data["exit_year"]:
            queryset = queryset.filter(exit_year=filters.cleaned_data["exit_year"])
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("households") if i.isdigit()]
        try:
            n = services.end_policies(queryset.filter(pk__in=ids), reason=request.POST.get("reason", ""),
                                      acting_user=request.user, channel=PAGE)
        except (ValidationError, PermissionDenied) as exc:
            _flash(request, exc)
        else:
            messages.success(request, f"已结束{n}户的过渡期政策")
        return redirect(request.get_full_path())
    page = Paginator(queryset.select_related("village").order_by("village", "number"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "procedures/end_policies.html", {
        "page": page, "filters": filters,
        "is_county": services.user_level(request.user) == Level.COUNTY and request.user.can_write,
    })


# --- holiday calendar -------------------------------------------------------------------------------------------


def calendar_list(request):
    years = sorted({d.year for d in CalendarDay.objects.values_list("date", flat=True)}, reverse=True)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    days = CalendarDay.objects.filter(date__year=year).select_related("region").order_by("date", "region")
    return render(request, "procedures/calendar_list.html", {
        "year": year, "years": years, "days": days, "national_years": workdays.years_seeded(),
        "import_form": CalendarImportForm(initial={"year": year}),
    })


def calendar_edit(request, pk=None):
    day = get_object_or_404(CalendarDay, pk=pk) if pk else CalendarDay()
    form = CalendarDayForm(request.POST or None, instance=day)
    if request.method == "POST" and form.is_valid():
        day = form.save(commit=False)
        day.region = form.cleaned_data["region_code"]
        try:
            workdays.save_day(day, acting_user=request.user, channel=PAGE)
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, f"已保存：{day}")
            return redirect(f"{reverse('procedures:calendar')}?year={day.date.year}")
    return render(request, "procedures/calendar_form.html", {"form": form, "day": day})


@require_POST
def calendar_delete(request, pk):
    day = get_object_or_404(CalendarDay, pk=pk)
    try:
        workdays.delete_day(day, acting_user=request.user, channel=PAGE)
    except PermissionDenied as exc:
        _flash(request, exc)
    else:
        messages.success(request, "已删除")
    return redirect(f"{reverse('procedures:calendar')}?year={day.date.year}")


@require_POST
def calendar_import(request):
    form = CalendarImportForm(request.POST, request.FILES)
    year = request.POST.get("year", "")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.NamedTemporaryFile(suffix=PurePath(upload.name).suffix.lower()[:10]) as temp:
            for chunk in upload.chunks():
                temp.write(chunk)
            temp.flush()
            try:
                result = workdays.import_year(
                    temp.name, form.cleaned_data["year"], region=form.cleaned_data["region_code"],
                    document=form.cleaned_data["document"], acting_user=request.user, channel=PAGE,
                    filename=upload.name,
                )
            except (ValidationError, PermissionDenied) as exc:
                _flash(request, exc)
            else:
                messages.success(request, f"已导入{result['year']}年安排{result['imported']}天（放假{result['holidays']}天、"
                                          f"调休上班{result['workdays']}天），替换原有{result['replaced']}天")
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(f"{reverse('procedures:calendar')}?year={year}")
