from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from fupin.core.channels import Channel
from fupin.jobs import services as jobs

from .models import Action, AuditArchive, AuditLog
from .services import verify_log


def may_view_log(user) -> None:
    """Department accounts have no business with the trail (their own data sets show their history)."""
    if not (user.is_authenticated and user.may_read_audit_trail):
        raise PermissionDenied("当前账号无权查看操作日志")


def may_verify(user) -> None:
    if not (user.is_authenticated and user.can_read_audit):
        raise PermissionDenied("只有审计管理员可以校验操作日志")


def filter_logs(queryset, params):
    """Shared by the page and its export."""
    if params.get("username"):
        queryset = queryset.filter(username=params["username"])
    if params.get("action") in Action.values:
        queryset = queryset.filter(action=params["action"])
    if params.get("channel") in Channel.values:
        queryset = queryset.filter(channel=params["channel"])
    if params.get("object_type"):
        queryset = queryset.filter(object_type=params["object_type"])
    if params.get("date_from"):
        queryset = queryset.filter(time__date__gte=params["date_from"])
    if params.get("date_to"):
        queryset = queryset.filter(time__date__lte=params["date_to"])
    return queryset


def log_list(request):
    may_view_log(request.user)
    logs = filter_logs(AuditLog.objects.visible_to(request.user).select_related("user"), request.GET)
    page = Paginator(logs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {
        "page": page, "actions": Action.choices, "channels": Channel.choices,
        "may_verify": request.user.can_read_audit,
    })


# Up to this many rows the check runs during the request (about a second); a bigger log is checked by a job.
INLINE_VERIFY_ROWS = 200_000


def verify(request):
    """The audit administrator's check of the whole chain (archive files re-read on request)."""
    may_verify(request.user)
    rows, files, report = AuditLog.objects.count(), request.GET.get("files") == "1", None
    if request.GET.get("run") == "1":
        if rows > INLINE_VERIFY_ROWS:
            job = jobs.start("audit.verify", "操作日志完整性校验", user=request.user, params={"files": files})
            return redirect("jobs:detail", job.pk)
        report = verify_log(files=files)
    return render(request, "audit/verify.html", {
        "report": report, "archives": AuditArchive.objects.all()[:20], "rows": rows,
    })
