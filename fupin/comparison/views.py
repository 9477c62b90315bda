"""Comparison pages: data sets (upload, column mapping, validation report), runs with progress, suspects with
verification, the county dashboard and reverse lists. Thin callers of ``actions``; every query is scoped."""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse as url
from django.utils import timezone

from fupin.audit.services import history_for
from fupin.core import excel
from fupin.core.channels import Channel
from fupin.core.forms import add_errors
from fupin.jobs import services as jobs
from fupin.jobs.models import Job
from fupin.regions.models import Region

from . import access, reader, reverse
from . import rules as rule_book
from .actions import households as registration
from .actions.datasets import delete_dataset, store_upload
from .actions.kinds import save_custom_rule, save_kind
from .actions.mappings import remembered_mapping, resolve_mapping
from .actions.runs import start_run
from .actions.stats import progress_by_township, rates_by_rule
from .actions.suspects import verify_suspect
from .filters import filter_suspects
from .forms import (
    CustomRuleForm,
    DeleteForm,
    HouseholdsFromRegistrationForm,
    KindFieldFormSet,
    KindForm,
    MappingForm,
    RunForm,
    UploadForm,
    VerifyForm,
)
from .kinds import auto_mapping
from .models import CustomRule, DatasetKind, SuspectStatus
from .panels import SUSPECT_PANELS
from .tables import DATASET_TABLE, RUN_TABLE, SUSPECT_TABLE, XLSX, evidence_text

PAGE_SIZE = 50
UPLOAD_SESSION = "comparison_uploads"


def _xlsx_response(write, filename: str) -> FileResponse:
    buffer = io.BytesIO()
    write(buffer)
    buffer.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    return FileResponse(buffer, as_attachment=True, filename=f"{filename}_{stamp}.xlsx", content_type=XLSX)


def index(request):
    user = request.user
    suspects = access.suspects_visible_to(user)
    context = {
        "can_upload": access.can_upload(user),
        "can_run": access.can_run(user),
        "can_reverse": reverse.can_download(user),
        "datasets": access.datasets_visible_to(user)[:5],
        "runs": access.runs_visible_to(user)[:5],
        "open_count": suspects.filter(status=SuspectStatus.OPEN).count(),
        "overdue_count": suspects.filter(status=SuspectStatus.OPEN, due_date__lt=timezone.localdate()).count(),
        "rules": access.rules_visible_to(user),
    }
    return render(request, "comparison/index.html", context)


# --- data sets -------------------------------------------------------------------------------------------------

def dataset_list(request):
    queryset = access.datasets_visible_to(request.user)
    kind = request.GET.get("kind")
    if kind:
        queryset = queryset.filter(kind__code=kind)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "comparison/dataset_list.html", {
        "page": page, "kinds": access.kinds_visible_to(request.user).filter(active=True), "kind": kind,
        "can_upload": access.can_upload(request.user),
    })


def dataset_export(request):
    queryset = access.datasets_visible_to(request.user)
    return _xlsx_response(lambda out: DATASET_TABLE.write(queryset, out), "比对数据集")


def _dataset(request, pk):
    return get_object_or_404(access.datasets_visible_to(request.user), pk=pk)


def dataset_detail(request, pk):
    dataset = _dataset(request, pk)
    labels = dict(dataset.kind.fields.values_list("name", "label"))
    return render(request, "comparison/dataset_detail.html", {
        "dataset": dataset,
        "report": dataset.report,
        "column_pairs": [(header, labels.get(name, name)) for name, header in dataset.report.get("columns", {}).items()],
        "rules": rule_book.for_kinds([dataset.kind.code]),
        "can_run": access.can_run(request.user),
        "can_delete": access.can_delete(request.user, dataset),
        "suspect_count": dataset.suspects.count(),
        "can_create_households": registration.can_create_households(request.user, dataset),
    })


def dataset_households(request, pk):
    """户籍建档: the village's 一般农户 from a 户籍 data set — the counts first, then the job on confirmation."""
    dataset = _dataset(request, pk)
    if not registration.can_create_households(request.user, dataset):
        raise PermissionDenied("当前账号不能用该数据集建档：须为户籍人口数据集，且账号可修改建档立卡数据")
    initial = {"village": dataset.region_code} if len(dataset.region_code) == 12 else None
    form = HouseholdsFromRegistrationForm(request.POST or None, initial=initial,
                                          villages=registration.villages_for(request.user))
    plan = None
    if request.method == "POST" and form.is_valid():
        village = form.cleaned_data["village"]
        try:
            plan = registration.plan_households(dataset, village.code, acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            if request.POST.get("confirm") and plan.families:
                job = jobs.start("comparison.households", f"户籍建档一般农户：{village.full_name()}",
                                 user=request.user,
                                 params={"dataset_id": dataset.pk, "village": village.code, "channel": Channel.PAGE})
                return redirect("jobs:detail", pk=job.pk)
    return render(request, "comparison/dataset_households.html", {
        "dataset": dataset, "form": form, "plan": plan and plan.summary(written=False),
    })


def dataset_rejected(request, pk):
    dataset = _dataset(request, pk)
    path = Path(settings.MEDIA_ROOT) / dataset.error_file if dataset.error_file else None
    if path is None or not path.is_file():
        raise Http404("没有无效行清单")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"{dataset.title}_无效证件号码.xlsx",
                        content_type=XLSX)


def dataset_delete(request, pk):
    dataset = _dataset(request, pk)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            delete_dataset(dataset, acting_user=request.user, channel=Channel.PAGE,
                           reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已删除数据集：{dataset.title}")
            return redirect("comparison:dataset_list")
    return render(request, "comparison/dataset_delete.html", {"dataset": dataset, "form": form,
                                                               "early": dataset.retention_until > timezone.localdate()})


def dataset_upload(request):
    if not access.can_upload(request.user):
        raise PermissionDenied("当前账号没有上传比对数据的权限")
    initial = {"department": request.user.department, "kind": request.GET.get("kind")}
    form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
    kinds = access.kinds_visible_to(request.user).filter(active=True)
    form.fields["kind"].queryset = kinds
    if access.department_of(request.user) is not None:
        form.fields["department"].disabled = True  # a department uploads as itself
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        path = store_upload(upload)
        token = path.stem
        try:
            source = reader.open_source(path, upload.name)
        except excel.SpreadsheetError as exc:
            path.unlink(missing_ok=True)
            form.add_error("file", str(exc))
        else:
            data = form.cleaned_data
            uploads = request.session.get(UPLOAD_SESSION, {})
            # The header and first rows travel in the session: a big workbook is parsed once here, not again
            # each time the mapping page is shown.
            uploads[token] = {
                "path": str(path), "file_name": upload.name, "kind": data["kind"].code, "title": data["title"],
                "reference_date": data["reference_date"].isoformat() if data["reference_date"] else "",
                "department": data["department"], "header": source.header, "header_row": source.header_row,
                "preview": [[(row[i] if i < len(row) else "") for i in range(len(source.header))]
                            for row in source.preview],
            }
            request.session[UPLOAD_SESSION] = uploads
            return redirect("comparison:dataset_mapping", token=token)
    return render(request, "comparison/dataset_upload.html", {"form": form, "kinds": kinds})


def dataset_mapping(request, token):
    pending = request.session.get(UPLOAD_SESSION, {}).get(token)
    if pending is None or not Path(pending["path"]).is_file():
        messages.error(request, "上传的文件已失效，请重新上传")
        return redirect("comparison:dataset_upload")
    kind = get_object_or_404(access.kinds_visible_to(request.user), code=pending["kind"])
    header = pending["header"]
    fields = list(kind.fields.all())
    remembered = remembered_mapping(kind, request.user)
    try:
        initial = resolve_mapping(kind, header, remembered=remembered)
    except ValidationError:
        initial = auto_mapping(fields, header, remembered)
    form = MappingForm(request.POST or None, fields=fields, header=header, initial_mapping=initial)
    if request.method == "POST" and form.is_valid():
        try:
            mapping = form.mapping()
            resolve_mapping(kind, header, mapping, remembered=remembered)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            job = jobs.start(
                "comparison.load", f"上传比对数据：{pending['title'] or pending['file_name']}", user=request.user,
                input_file=pending["path"],
                params={"kind": kind.code, "mapping": mapping, "title": pending["title"],
                        "file_name": pending["file_name"], "reference_date": pending["reference_date"],
                        "department": pending["department"], "channel": Channel.PAGE},
            )
            uploads = request.session.get(UPLOAD_SESSION, {})
            uploads.pop(token, None)
            request.session[UPLOAD_SESSION] = uploads
            return redirect("comparison:upload_progress", job_id=job.pk)
    return render(request, "comparison/dataset_mapping.html", {"form": form, "kind": kind, "pending": pending})


def _own_job(request, job_id, kind) -> Job:
    job = get_object_or_404(Job, pk=job_id, kind=kind)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return job


def upload_progress(request, job_id):
    job = _own_job(request, job_id, "comparison.load")
    if job.status == "succeeded" and job.result.get("dataset_id") and not request.headers.get("HX-Request"):
        return redirect("comparison:dataset_detail", pk=job.result["dataset_id"])
    template = "comparison/_job_status.html" if request.headers.get("HX-Request") else "comparison/upload_progress.html"
    response = render(request, template, {"job": job, "poll_url": request.path})
    if request.headers.get("HX-Request") and job.status == "succeeded" and job.result.get("dataset_id"):
        response["HX-Redirect"] = url("comparison:dataset_detail", args=[job.result["dataset_id"]])
    return response


# --- kinds -----------------------------------------------------------------------------------------------------

def kind_list(request):
    kinds = list(access.kinds_visible_to(request.user).prefetch_related("fields"))
    rules = access.rules_visible_to(request.user)
    for kind in kinds:
        kind.rules = [r for r in rules if r.kind == kind.code]
    return render(request, "comparison/kind_list.html", {
        "kinds": kinds, "can_manage": access.can_manage_kinds(request.user),
        "custom_rules": CustomRule.objects.filter(kind__in=kinds).select_related("kind"),
    })


def kind_edit(request, pk=None):
    if not access.can_manage_kinds(request.user):
        raise PermissionDenied("只有系统管理员可以定义数据类型")
    kind = get_object_or_404(DatasetKind, pk=pk) if pk else DatasetKind()
    form = KindForm(request.POST or None, instance=kind)
    formset = KindFieldFormSet(request.POST or None, instance=kind)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            kind = save_kind(form.save(commit=False), formset, acting_user=request.user, channel=Channel.PAGE)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"数据类型“{kind.name}”已保存")
            return redirect("comparison:kind_list")
    return render(request, "comparison/kind_form.html", {"form": form, "formset": formset, "kind": kind})


def rule_edit(request, pk=None):
    if not access.can_manage_kinds(request.user):
        raise PermissionDenied("只有系统管理员可以定义比对规则")
    custom = get_object_or_404(CustomRule, pk=pk) if pk else CustomRule(kind_id=request.GET.get("kind") or None)
    form = CustomRuleForm(request.POST or None, instance=custom)
    if request.method == "POST" and form.is_valid():
        try:
            custom = save_custom_rule(form.save(commit=False), acting_user=request.user, channel=Channel.PAGE)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"比对规则“{custom.name}”已保存")
            return redirect("comparison:kind_list")
    kind = custom.kind if custom.kind_id else None
    return render(request, "comparison/rule_form.html", {
        "form": form, "custom": custom, "kind_fields": list(kind.fields.all()) if kind else [],
        "kinds": DatasetKind.objects.filter(active=True).prefetch_related("fields"),
    })


# --- runs ------------------------------------------------------------------------------------------------------

def run_list(request):
    page = Paginator(access.runs_visible_to(request.user).prefetch_related("datasets"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "comparison/run_list.html", {"page": page, "can_run": access.can_run(request.user)})


def run_export(request):
    return _xlsx_response(lambda out: RUN_TABLE.write(access.runs_visible_to(request.user), out), "比对任务")


def run_create(request):
    if not access.can_run(request.user):
        raise PermissionDenied("当前账号没有发起数据比对的权限")
    datasets = access.datasets_visible_to(request.user)
    initial = {"datasets": request.GET.getlist("dataset")}
    form = RunForm(request.POST or None, datasets=datasets, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                run = start_run(
                    datasets=data["datasets"], rules=data["rules"] or None, region_code=data["region"],
                    acting_user=request.user, channel=Channel.PAGE,
                )
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            return redirect("comparison:run_detail", pk=run.pk)
    return render(request, "comparison/run_form.html", {"form": form})


def _timings(summary: dict) -> list[tuple[str, float]]:
    names = rule_book.names()
    labels = {"register": "读取在册户和人员", "write": "写入疑点"}
    rows = []
    for key, seconds in (summary.get("seconds") or {}).items():
        kind, _, code = key.partition(":")
        label = labels.get(key) or (f"读取{code}数据" if kind == "data" else f"比对：{names.get(code, code)}")
        rows.append((label, seconds))
    return rows


def run_detail(request, pk):
    run = get_object_or_404(access.runs_visible_to(request.user), pk=pk)
    context = {"run": run, "datasets": run.datasets.select_related("kind"),
               "results": (run.summary or {}).get("rules", {}), "poll_url": request.path,
               "timings": _timings(run.summary or {})}
    if request.headers.get("HX-Request"):
        return render(request, "comparison/_run_status.html", context)
    return render(request, "comparison/run_detail.html", context)


# --- suspects --------------------------------------------------------------------------------------------------

def _suspects(request):
    return filter_suspects(access.suspects_visible_to(request.user), request.GET, request.user)


def suspect_list(request):
    queryset, form = _suspects(request)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    names = rule_book.names()
    villages = dict(Region.objects.filter(code__in={s.village_code for s in page}).values_list("code", "name"))
    for suspect in page:
        suspect.evidence_text = evidence_text(suspect.evidence)
        suspect.rule_name = names.get(suspect.rule, suspect.rule)
        suspect.village_name = villages.get(suspect.village_code, "")
    return render(request, "comparison/suspect_list.html", {"page": page, "form": form,
                                                             "today": timezone.localdate()})


def suspect_export(request):
    queryset, _form = _suspects(request)
    return _xlsx_response(lambda out: SUSPECT_TABLE.write(queryset.select_related(None), out), "疑点清单")


def suspect_detail(request, pk):
    suspect = get_object_or_404(access.suspects_visible_to(request.user).select_related("dataset", "verified_by"), pk=pk)
    can_verify = access.can_verify(request.user, suspect) and suspect.status != SuspectStatus.CLOSED
    initial = {"conclusion": suspect.status if suspect.status in (SuspectStatus.CONFIRMED, SuspectStatus.REJECTED) else None,
               "action_taken": suspect.action_taken, "reason": suspect.reason}
    form = VerifyForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if not can_verify:
            raise PermissionDenied("当前账号不能核查该疑点")
        if form.is_valid():
            data = form.cleaned_data
            try:
                verify_suspect(
                    suspect, confirmed=data["conclusion"] == SuspectStatus.CONFIRMED, acting_user=request.user,
                    channel=Channel.PAGE, action_taken=data["action_taken"], reason=data["reason"],
                    attachment=data["attachment"],
                )
            except (ValidationError, PermissionDenied) as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"核查结果已保存：{suspect.get_status_display()}")
                return redirect("comparison:suspect_detail", pk=suspect.pk)
    rule = rule_book.find(suspect.rule)
    village = Region.objects.filter(code=suspect.village_code).first()
    return render(request, "comparison/suspect_detail.html", {
        "suspect": suspect, "rule": rule, "form": form, "can_verify": can_verify,
        "village_name": village.full_name() if village else "",
        "history": history_for(suspect)[:50], "panels": SUSPECT_PANELS,
    })


def suspect_attachment(request, pk):
    suspect = get_object_or_404(access.suspects_visible_to(request.user), pk=pk)
    if not suspect.attachment:
        raise Http404
    if not default_storage.exists(suspect.attachment):
        raise Http404
    return FileResponse(default_storage.open(suspect.attachment, "rb"), as_attachment=True,
                        filename=Path(suspect.attachment).name.split("_", 1)[-1])


# --- dashboard and reverse lists -------------------------------------------------------------------------------

def dashboard(request):
    queryset = access.suspects_visible_to(request.user)
    rule = request.GET.get("rule") or ""
    if rule:
        queryset = queryset.filter(rule=rule)
    context = {
        "townships": progress_by_township(queryset),
        "by_rule": rates_by_rule(access.suspects_visible_to(request.user)),
        "rule": rule,
        "rules": access.rules_visible_to(request.user),
    }
    if request.GET.get("export"):
        return _xlsx_response(lambda out: _write_dashboard(out, context), "疑点核查进度")
    return render(request, "comparison/dashboard.html", context)


def _write_dashboard(target, context) -> None:
    columns = [excel.Col(h, k) for h, k in (
        ("名称", excel.TEXT), ("疑点数", excel.NUMBER), ("待核查", excel.NUMBER), ("属实", excel.NUMBER),
        ("不属实", excel.NUMBER), ("已消除", excel.NUMBER), ("超期未核查", excel.NUMBER),
        ("核查进度（%）", excel.NUMBER), ("属实率（%）", excel.NUMBER))]
    keys = ("name", "total", "open", "confirmed", "rejected", "closed", "overdue", "verified_rate", "confirmed_rate")
    with excel.XlsxStream(target) as out:
        for title, rows in (("按乡镇", context["townships"]), ("按疑点类型", context["by_rule"])):
            out.add_sheet(title, columns)
            out.write_rows([row[k] for k in keys] for row in rows)


def reverse_lists(request):
    if not reverse.can_download(request.user):
        raise PermissionDenied("当前账号不能下载反向名单")
    items = [(item, reverse.members_for(item, request.user).count()) for item in reverse.lists_for(request.user)]
    return render(request, "comparison/reverse_lists.html", {"items": items})


def reverse_download(request, code):
    if not reverse.can_download(request.user):
        raise PermissionDenied("当前账号不能下载反向名单")
    item = next((item for item in reverse.lists_for(request.user) if item.code == code), None)
    if item is None:
        raise Http404
    return _xlsx_response(lambda out: reverse.export(item, request.user, out, channel=Channel.PAGE), item.name)
