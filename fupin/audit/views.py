from django.core.paginator import Paginator
from django.shortcuts import render

from .models import Action, AuditLog, Channel


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
    logs = filter_logs(AuditLog.objects.visible_to(request.user).select_related("user"), request.GET)
    page = Paginator(logs, 50).get_page(request.GET.get("page"))
    return render(
        request, "audit/list.html", {"page": page, "actions": Action.choices, "channels": Channel.choices}
    )
