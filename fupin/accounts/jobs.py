"""Account exports (users, login log): administrators only, like their list pages."""

from django.core.exceptions import PermissionDenied

from fupin.core.exports import Export, register

from . import tables
from .filters import filter_login_logs, filter_users
from .models import LoginLog, User


def _administrators_only(user):
    if not user.can_administer:
        raise PermissionDenied("只有系统管理员可以导出用户和登录日志")


def user_rows(user, params):
    return filter_users(User.objects.all() if user is None else User.objects.visible_to(user), params)


def login_log_rows(user, params):
    return filter_login_logs(LoginLog.objects.all() if user is None else LoginLog.objects.visible_to(user), params)


user_export = register(Export("accounts.export_users", tables.users, user_rows, may_export=_administrators_only))
login_log_export = register(
    Export("accounts.export_login_logs", tables.login_logs, login_log_rows, may_export=_administrators_only)
)
