"""扶贫项目 pages: the library list (filters, pagination, Excel export, import), a project's page with its approval,
notices, implementation, acceptance and beneficiaries, and the forms of each action. Thin callers of services."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.core.channels import Channel
from fupin.core.exports import XLSX
from fupin.core.forms import add_errors
from fupin.jobs import exports
from fupin.jobs import imports as import_jobs
from fupin.procedures.models import NoticeKind
from fupin.procedures.services import user_level

from . import imports, services
from .filters import filter_projects
from .forms import (
    AcceptanceForm,
    BeneficiaryForm,
    DecisionForm,
    LibraryForm,
    MilestoneForm,
    NoticeForm,
    PhotoForm,
    ProjectForm,
    StartForm,
)
from .jobs import project_export
from .models import AcceptanceDocument, LibraryStatus, Project, ProjectBeneficiary, ProjectPhoto, ProjectStatus
from .panels import PROJECT_PANELS

PAGE = Channel.PAGE
PAGE_SIZE = 50
BENEFICIARY_PAGE_SIZE = 100


def _project(request, pk) -> Project:
    return get_object_or_404(Project.objects.visible_to(request.user).select_related("region"), pk=pk)


def _refused(request, exc) -> None:
    for message in [str(exc)] if isinstance(exc, PermissionDenied) else exc.messages:
        messages.error(request, message)


def project_list(request):
    queryset = Project.objects.visible_to(request.user).select_related("region").prefetch_related("steps")
    queryset, form = filter_projects(queryset, request.GET, request.user)
    page = Paginator(queryset.order_by("-year", "region_id", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/project_list.html", {
        "page": page, "form": form, "can_change": services.can_change(request.user),
        "level": user_level(request.user),
    })


project_export_view = exports.view(project_export)


def project_edit(request, pk=None):
    project = _project(request, pk) if pk else Project()
    if not services.can_change(request.user, project if pk else None):
        raise PermissionDenied("当前账号只能查看项目，不能修改")
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_project(form.save(commit=False), acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"项目“{saved.name}”已保存" if pk else f"项目“{saved.name}”已入库")
            return redirect("projects:detail", pk=saved.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


def project_detail(request, pk):
    project = _project(request, pk)
    steps = list(project.steps.all())
    current = next((s for s in steps if s.order == project.current_order), None)
    level = user_level(request.user)
    can_change = services.can_change(request.user, project)
    beneficiaries = (project.beneficiaries.select_related("household__village").order_by("household__number"))
    beneficiary_page = Paginator(beneficiaries, BENEFICIARY_PAGE_SIZE).get_page(request.GET.get("bpage"))
    today = timezone.localdate()
    return render(request, "projects/project_detail.html", {
        "project": project, "steps": steps, "current": current, "can_change": can_change,
        "may_declare": services.may_declare(request.user, project),
        "acts_now": can_change and current is not None and current.actor_level == level,
        "notice_problems": services.notice_problems(project, current) if current and current.is_notice else [],
        "actions": project.actions.select_related("step"),
        "library_changes": project.library_changes.all(),
        "notices": services.project_notices(project),
        "milestones": project.milestones.all(), "photos": project.photos.all(),
        "acceptances": project.acceptances.prefetch_related("documents"),
        "beneficiary_page": beneficiary_page, "counts": services.beneficiary_counts(project),
        "panels": PROJECT_PANELS, "Status": ProjectStatus, "LibraryStatus": LibraryStatus,
        "decision_form": DecisionForm(), "library_form": LibraryForm(initial={"date": today}),
        "start_form": StartForm(initial={"date": today}), "milestone_form": MilestoneForm(initial={"date": today}),
        "photo_form": PhotoForm(), "acceptance_form": AcceptanceForm(initial={"date": today}),
        "beneficiary_form": BeneficiaryForm(),
    })


def _act(request, pk, action, success: str):
    """Run one POSTed action on a project and come back to its page with the outcome."""
    project = _project(request, pk)
    try:
        action(project)
    except (PermissionDenied, ValidationError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, success)
    return redirect("projects:detail", pk=project.pk)


def _valid(request, form_class):
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        raise ValidationError([f"{form.fields[name].label if name in form.fields else ''}：{error}"
                               for name, errors in form.errors.items() for error in errors])
    return form.cleaned_data


@require_POST
def approval_start(request, pk):
    return _act(request, pk, lambda p: services.start_approval(
        p, comment=request.POST.get("comment", ""), acting_user=request.user, channel=PAGE), "项目已申报，进入审批")


@require_POST
def decide(request, pk):
    def action(project):
        data = _valid(request, DecisionForm)
        services.decide(project, data["decision"], comment=data["comment"], acting_user=request.user, channel=PAGE)

    return _act(request, pk, action, "已办理")


@require_POST
def library_remove(request, pk):
    def action(project):
        data = _valid(request, LibraryForm)
        services.remove_from_library(project, date=data["date"], reason=data["reason"], acting_user=request.user,
                                     channel=PAGE)

    return _act(request, pk, action, "项目已出库（保留记录）")


@require_POST
def library_restore(request, pk):
    def action(project):
        data = _valid(request, LibraryForm)
        services.restore_to_library(project, date=data["date"], reason=data["reason"], acting_user=request.user,
                                    channel=PAGE)

    return _act(request, pk, action, "项目已重新入库")


@require_POST
def implementation_start(request, pk):
    def action(project):
        services.start_implementation(project, date=_valid(request, StartForm)["date"], acting_user=request.user,
                                      channel=PAGE)

    return _act(request, pk, action, "项目已开工")


@require_POST
def milestone_add(request, pk):
    def action(project):
        data = _valid(request, MilestoneForm)
        services.add_milestone(project, date=data["date"], text=data["text"], progress=data["progress"],
                               acting_user=request.user, channel=PAGE)

    return _act(request, pk, action, "已登记实施进度")


@require_POST
def photo_add(request, pk):
    def action(project):
        data = _valid(request, PhotoForm)
        services.add_photo(project, data["file"], caption=data["caption"], acting_user=request.user, channel=PAGE)

    return _act(request, pk, action, "照片已上传")


@require_POST
def acceptance_add(request, pk):
    def action(project):
        data = _valid(request, AcceptanceForm)
        services.record_acceptance(project, date=data["date"], team=data["team"], result=data["result"],
                                   remarks=data["remarks"], documents=data["documents"], acting_user=request.user,
                                   channel=PAGE)

    return _act(request, pk, action, "已登记验收")


@require_POST
def beneficiary_add(request, pk):
    def action(project):
        data = _valid(request, BeneficiaryForm)
        numbers = [n.strip() for n in data["numbers"].replace("，", ",").replace(",", "\n").splitlines() if n.strip()]
        found = {h.number: h for h in services.eligible_households(project, request.user).filter(number__in=numbers)}
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise ValidationError(f"户编号 {'、'.join(unknown[:10])} 不在项目实施地点{project.region.name}或当前账号的管辖范围内")
        added = services.add_beneficiaries(project, found.values(), note=data["note"], acting_user=request.user,
                                           channel=PAGE)
        messages.info(request, f"新增受益户 {added} 户")

    return _act(request, pk, action, "受益户已登记")


def beneficiary_import(request, pk):
    project = _project(request, pk)
    if not services.can_change(request.user, project):
        raise PermissionDenied("当前账号只能查看项目，不能修改")
    form = import_jobs.UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{Path(upload.name).suffix.lower()}"
            path.write_bytes(upload.read())
            try:
                result = imports.import_beneficiaries(path, project, note=request.POST.get("note", ""),
                                                      acting_user=request.user, channel=Channel.IMPORT,
                                                      filename=upload.name)
            except (PermissionDenied, ValidationError) as exc:
                add_errors(form, exc)
        if result is not None and result.ok:
            messages.success(request, result.summary())
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/beneficiary_import.html", {"form": form, "project": project, "result": result})


@require_POST
def beneficiary_remove(request, pk):
    beneficiary = get_object_or_404(ProjectBeneficiary.objects.visible_to(request.user).select_related("project"),
                                    pk=pk, project__in=Project.objects.visible_to(request.user))
    try:
        services.remove_beneficiary(beneficiary, acting_user=request.user, channel=PAGE)
    except (PermissionDenied, ValidationError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已移出受益户")
    return redirect("projects:detail", pk=beneficiary.project_id)


def notice_create(request):
    """A draft 公示/公告 of projects at their notice step; it is published on the notice page (procedures)."""
    kind = request.POST.get("kind") or request.GET.get("kind") or NoticeKind.PUBLICITY
    if kind not in NoticeKind.values:
        raise Http404("没有这种公示类别")
    eligible = list(services.notice_eligible(request.user, kind)[:services.MAX_NOTICE_PROJECTS])
    today = timezone.localdate()
    form = NoticeForm(request.POST or None, initial={"kind": kind, "start_date": today})
    if request.method == "POST" and form.is_valid():
        chosen = set(map(int, filter(str.isdigit, request.POST.getlist("projects"))))
        try:
            notice = services.create_notice(
                [p for p in eligible if p.pk in chosen], kind=form.cleaned_data["kind"],
                start_date=form.cleaned_data["start_date"], end_date=form.cleaned_data["end_date"],
                title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                contact=form.cleaned_data["contact"], acting_user=request.user, channel=PAGE)
        except (PermissionDenied, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "草稿已生成，请核对后发布")
            return redirect("procedures:notice_detail", notice.pk)
    return render(request, "projects/notice_form.html", {
        "form": form, "eligible": eligible, "kind": kind, "kind_label": NoticeKind(kind).label})


def _serve(stored, project_id, request):
    if not Project.objects.visible_to(request.user).filter(pk=project_id).exists():
        raise Http404("记录不存在或不在当前账号的管辖范围内")
    return FileResponse(stored.file.open("rb"), filename=stored.original_name or None)


def photo(request, pk):
    stored = get_object_or_404(ProjectPhoto, pk=pk)
    return _serve(stored, stored.project_id, request)


def document(request, pk):
    stored = get_object_or_404(AcceptanceDocument.objects.select_related("acceptance"), pk=pk)
    return _serve(stored, stored.acceptance.project_id, request)


def project_import(request):
    if not services.can_change(request.user):
        raise PermissionDenied("当前账号只能查看项目，不能导入")
    return import_jobs.page(
        request, kind="projects.import", title="导入项目库",
        intro="每行一个项目，导入后即入库（申报中），再逐个申报审批。", columns=imports.template_rows(),
        template_url=reverse("projects:import_template"), template_name="项目库导入模板.xlsx",
        back_url=reverse("projects:list"),
    )


def import_template(request):
    response = HttpResponse(imports.template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E9%A1%B9%E7%9B%AE%E5%BA%93%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    return response
