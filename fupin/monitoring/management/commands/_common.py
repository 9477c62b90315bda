"""Shared options of the ``fupin monitor …`` commands: the region, the year and the acting account."""

from django.core.management.base import CommandError

from fupin.accounts.models import User
from fupin.regions.models import Region


def region_or_root(code: str | None) -> Region:
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(f"区划代码 {code} 不存在")
        return region
    roots = list(Region.objects.filter(parent__isnull=True)[:2])
    if len(roots) != 1:
        raise CommandError("请用 --region 指定区划代码（库中没有或有多个顶级区划）")
    return roots[0]


def acting_user(username: str | None):
    """None (the system) unless --user names an account, whose scope and rights then apply."""
    if not username:
        return None
    user = User.objects.select_related("region").filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"账号 {username} 不存在或已停用")
    return user
