"""Account exports (users, login log): the roles that see their list pages."""

from django.core.exceptions import PermissionDenied

from fupin.core.exports import Export
from fupin.jobs.exports import register

from . import tables
from .filters import filter_login_logs, filter_users
from .models import LoginLog, User


def _user_list_readers(user):
    if not (user.can_administer or user.can_manage_security):
        raise PermissionDenied("只有系统管理员或安全管理员可以导出用户")


def _login_log_readers(user):
    if not (user.can_manage_security or user.can_read_audit):
        raise PermissionDenied("只有安全管理员和审计管理员可以导出登录日志")


def user_rows(user, params):
    return filter_users(User.objects.all() if user is None else User.objects.visible_to(user), params)


def login_log_rows(user, params):
    return filter_login_logs(LoginLog.objects.all() if user is None else LoginLog.objects.visible_to(user), params)


user_export = register(Export("accounts.export_users", tables.users, user_rows, may_export=_user_list_readers))
login_log_export = register(
    Export("accounts.export_login_logs", tables.login_logs, login_log_rows, may_export=_login_log_readers)
)
