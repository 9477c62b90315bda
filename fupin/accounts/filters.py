"""User and login-log list filters, shared by the list pages and their Excel exports."""

from django.db.models import Q


def filter_users(queryset, params):
    q = (params.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(username__contains=q) | Q(full_name__contains=q))
    if params.get("role"):
        queryset = queryset.filter(role=params["role"])
    return queryset


def filter_login_logs(queryset, params):
    if params.get("username"):
        queryset = queryset.filter(username=params["username"])
    if params.get("success") in ("0", "1"):
        queryset = queryset.filter(success=params["success"] == "1")
    return queryset
