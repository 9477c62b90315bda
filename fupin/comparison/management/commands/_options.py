"""Options shared by the comparison commands."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from fupin.accounts.models import User


def add_user_option(parser):
    parser.add_argument("--user", help="以该账号的身份和权限执行（默认：系统，不受区划限制）")


def acting_user(username):
    if not username:
        return None
    user = User.objects.filter(username=username).select_related("region").first()
    if user is None:
        raise CommandError(f"用户 {username} 不存在")
    return user


def command_error(exc) -> CommandError:
    if isinstance(exc, PermissionDenied):
        return CommandError(str(exc))
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return CommandError("；".join(f"{'；'.join(v)}" for v in exc.message_dict.values()))
    return CommandError("；".join(getattr(exc, "messages", [str(exc)])))
