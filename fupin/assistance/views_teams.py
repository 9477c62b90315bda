"""驻村工作队 and 定点帮扶单位 pages, and the parameter page: thin callers of ``teams``, ``units`` and
``parameters`` over ``visible_to()``."""

import datetime as dt
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from fupin.core import excel
from fupin.core.channels import Channel
from fupin.core.exports import XLSX
from fupin.core.forms import add_errors
from fupin.jobs import exports as export_views
from fupin.jobs.imports import UploadForm

from . import imports, parameters, teams, units
from .exports import member_export, unit_export
from .filters import filter_members, filter_units, filter_villages
from .forms import (
    EndTeamForm,
    MemberChangeForm,
    ParameterForm,
    TeamMemberForm,
    UnitPairingForm,
    UnitPlanForm,
    WorkTeamForm,
)
from .models import (
    AssistanceParameter,
    AttendanceStatus,
    MemberChange,
    MemberStatus,
    PlanAttachment,
    TeamMember,
    UnitPairing,
    UnitPlan,
    WorkTeam,
)
from .services import can_manage
from .views import PAGE_SIZE

PAGE = Channel.PAGE


def _save(request, form, action, success, target):
    """Run a service on a valid form; on success a message and the redirect, else the form keeps the errors."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = action()
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(*target(saved))
    return None


def _form_page(request, form, title, enctype=False):
    return render(request, "assistance/simple_form.html", {"form": form, "title": title, "multipart": enctype})


# --- teams ----------------------------------------------------------------------------------------------------------

def team_list(request):
    """The villages whose team is checked, each with its completeness; the flagged ones first when filtered."""
    villages, form = filter_villages(teams.villages_to_check().visible_to(request.user), request.GET)
    checks = teams.check_villages(villages)
    wanted = form.cleaned_data.get("completeness") if form.is_valid() else ""
    if wanted:
        checks = [c for c in checks if c.ok == (wanted == "ok")]
    page = Paginator(checks, PAGE_SIZE).get_page(request.GET.get("page"))
    flagged = sum(1 for c in checks if not c.ok)
    return render(request, "assistance/team_list.html", {"page": page, "form": form, "flagged": flagged,
                                                          "can_create": request.user.can_write})


def team_edit(request, pk=None):
    team = get_object_or_404(WorkTeam.objects.visible_to(request.user), pk=pk) if pk else WorkTeam(
        start=timezone.localdate())
    form = WorkTeamForm(request.POST or None, instance=team, user=request.user,
                        initial={"village": request.GET.get("village")} if not pk else None)
    response = _save(request, form, lambda: teams.save_team(form.save(commit=False), acting_user=request.user,
                                                            channel=PAGE),
                     "驻村工作队已保存", lambda saved: ("assistance:team_detail", saved.pk))
    return response or _form_page(request, form, "驻村工作队" + (f" · {team.name}" if pk else ""))


def _team(request, pk) -> WorkTeam:
    return get_object_or_404(WorkTeam.objects.visible_to(request.user).select_related("village"), pk=pk)


def _month(request) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        dt.date(year, month, 1)
    except ValueError:
        return today.year, today.month
    return year, month


def team_detail(request, pk):
    team = _team(request, pk)
    members = team.members.prefetch_related(Prefetch("changes", queryset=MemberChange.objects.order_by("-date")))
    year, month = _month(request)
    today = timezone.localdate()
    check = teams.check_villages(type(team.village).objects.filter(pk=team.village_id))[0]
    return render(request, "assistance/team_detail.html", {
        "team": team, "members": members, "check": check if team.active else None,
        "summary": teams.monthly_summary(team, year, month), "month": f"{year:04d}-{month:02d}",
        "statuses": AttendanceStatus.choices, "today": today, "can_manage": can_manage(request.user, team.village_id),
        "end_form": EndTeamForm(initial={"end": today}), "active": MemberStatus.ACTIVE,
        "history": WorkTeam.objects.filter(village_id=team.village_id).exclude(pk=team.pk),
    })


def team_end(request, pk):
    team = _team(request, pk)
    form = EndTeamForm(request.POST or None)
    response = _save(request, form, lambda: teams.end_team(team, end=form.cleaned_data["end"],
                                                           reason=form.cleaned_data["reason"],
                                                           acting_user=request.user, channel=PAGE),
                     "本期已结束", lambda saved: ("assistance:team_detail", saved.pk))
    return response or _form_page(request, form, f"结束本期 · {team.name}")


def member_edit(request, team_pk=None, pk=None):
    if pk:
        member = get_object_or_404(TeamMember.objects.visible_to(request.user).select_related("team"), pk=pk)
    else:
        team = _team(request, team_pk)
        member = TeamMember(team=team, unit=team.lead_unit, term_start=timezone.localdate())
    form = TeamMemberForm(request.POST or None, instance=member)
    response = _save(request, form, lambda: teams.save_member(form.save(commit=False), acting_user=request.user,
                                                              channel=PAGE),
                     "队员已保存", lambda saved: ("assistance:team_detail", saved.team_id))
    return response or _form_page(request, form, f"驻村队员 · {member.team.name}")


def member_change(request, pk):
    member = get_object_or_404(TeamMember.objects.visible_to(request.user), pk=pk)
    form = MemberChangeForm(request.POST or None, initial={"date": timezone.localdate()})
    response = _save(request, form, lambda: teams.change_member(
        member, kind=form.cleaned_data["kind"], date=form.cleaned_data["date"], reason=form.cleaned_data["reason"],
        role=form.cleaned_data["role"], acting_user=request.user, channel=PAGE),
        "已登记召回调整", lambda change: ("assistance:team_detail", member.team_id))
    return response or _form_page(request, form, f"召回调整 · {member.name}")


def attendance(request, pk):
    """A day's attendance of the team: one status (and note) per member in post."""
    team = _team(request, pk)
    if request.method != "POST":
        raise Http404
    try:
        day = dt.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        messages.error(request, "请填写考勤日期")
        return redirect("assistance:team_detail", pk=team.pk)
    entries = {}
    for member in team.members.filter(status=MemberStatus.ACTIVE):
        status = request.POST.get(f"status-{member.pk}")
        if status:
            entries[member] = (status, request.POST.get(f"note-{member.pk}", ""))
    try:
        written = teams.record_attendance(team, day, entries, acting_user=request.user, channel=PAGE)
    except (PermissionDenied, ValidationError) as exc:
        for message in [str(exc)] if isinstance(exc, PermissionDenied) else exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已登记{day:%Y-%m-%d}考勤{written}人")
    return redirect(f"{request.path.rsplit('attendance/', 1)[0]}?month={day:%Y-%m}")


def member_list(request):
    queryset = TeamMember.objects.visible_to(request.user).select_related("team", "village")
    queryset, form = filter_members(queryset, request.GET)
    page = Paginator(queryset.order_by("village_id", "team_id", "role", "name"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "assistance/member_list.html", {"page": page, "form": form})


member_export_view = export_views.view(member_export)


# --- 定点帮扶单位 -----------------------------------------------------------------------------------------------------

def unit_list(request):
    queryset = UnitPairing.objects.visible_to(request.user).select_related("village").prefetch_related("plans")
    queryset, form = filter_units(queryset, request.GET)
    page = Paginator(queryset.order_by("village_id", "unit"), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for pairing in page:
        pairing.missing = units.missing(pairing, today)
    return render(request, "assistance/unit_list.html", {"page": page, "form": form,
                                                          "can_create": request.user.can_write})


unit_export_view = export_views.view(unit_export)


def unit_edit(request, pk=None):
    pairing = get_object_or_404(UnitPairing.objects.visible_to(request.user), pk=pk) if pk else UnitPairing(
        start=timezone.localdate())
    form = UnitPairingForm(request.POST or None, instance=pairing, user=request.user)
    response = _save(request, form, lambda: units.save_pairing(form.save(commit=False), acting_user=request.user,
                                                               channel=PAGE),
                     "定点帮扶单位已保存", lambda saved: ("assistance:unit_detail", saved.pk))
    return response or _form_page(request, form, "定点帮扶单位")


def unit_detail(request, pk):
    pairing = get_object_or_404(UnitPairing.objects.visible_to(request.user).select_related("village"), pk=pk)
    plans = pairing.plans.prefetch_related("attachments")
    return render(request, "assistance/unit_detail.html", {
        "pairing": pairing, "plans": plans, "missing": units.missing(pairing),
        "can_manage": can_manage(request.user, pairing.village_id),
    })


def plan_edit(request, unit_pk=None, pk=None):
    if pk:
        plan = get_object_or_404(UnitPlan.objects.visible_to(request.user).select_related("pairing"), pk=pk)
    else:
        pairing = get_object_or_404(UnitPairing.objects.visible_to(request.user), pk=unit_pk)
        plan = UnitPlan(pairing=pairing, year=timezone.localdate().year, kind=request.GET.get("kind", "plan"))
    form = UnitPlanForm(request.POST or None, request.FILES or None, instance=plan)
    response = _save(request, form, lambda: units.save_plan(form.save(commit=False), form.cleaned_data["files"],
                                                            acting_user=request.user, channel=PAGE),
                     "已保存", lambda saved: ("assistance:unit_detail", saved.pairing_id))
    return response or _form_page(request, form, f"帮扶计划与总结 · {plan.pairing.unit}", enctype=True)


def plan_file(request, pk):
    stored = get_object_or_404(PlanAttachment.objects.visible_to(request.user), pk=pk)
    return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.original_name or None)


# --- parameters -----------------------------------------------------------------------------------------------------

def parameter_list(request):
    rows = AssistanceParameter.objects.select_related("region").filter(
        pk__in=AssistanceParameter.objects.visible_to(request.user).values("pk")
    ) | AssistanceParameter.objects.filter(region__isnull=True)
    return render(request, "assistance/parameter_list.html", {
        "rows": rows.select_related("region").order_by("code", "region", "year"),
        "can_edit": request.user.can_administer,
    })


def parameter_edit(request, pk=None):
    parameter = get_object_or_404(AssistanceParameter.objects.visible_to(request.user), pk=pk) if pk else (
        AssistanceParameter())
    form = ParameterForm(request.POST or None, instance=parameter, user=request.user)
    response = _save(request, form, lambda: parameters.save_parameter(form.save(commit=False),
                                                                      acting_user=request.user, channel=PAGE),
                     "帮扶参数已保存", lambda saved: ("assistance:parameter_list",))
    return response or _form_page(request, form, "帮扶参数")


def member_import(request):
    """队员名册 from Excel (checked whole, written whole or not at all); ``?template=1`` gives the blank workbook."""
    if request.GET.get("template"):
        example = ["410481100201", "", "县农业农村局", "张三", "县农业农村局", "第一书记", "13900000000", "2026-03-01",
                   "2028-03-01"]
        response = HttpResponse(excel.to_bytes(imports.TEMPLATE, [example], "驻村队员"), content_type=XLSX)
        response["Content-Disposition"] = "attachment; filename*=UTF-8''team-members.xlsx"
        return response
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix.lower()) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            result = imports.import_members(handle.name, acting_user=request.user, channel=PAGE,
                                            filename=upload.name)
        if result.ok:
            messages.success(request, result.summary())
            return redirect("assistance:team_list")
    return render(request, "assistance/member_import.html", {"form": form, "result": result,
                                                              "columns": list(imports.COLUMNS)})
