"""Who may use 政策模拟: county accounts only (县级 staff and the county's system administrator) — a scenario is a
county's decision aid, and its result covers the whole county (docs/architecture.md)."""

from fupin.accounts.models import Role
from fupin.core.access import AppAccess
from fupin.regions.models import Level

COUNTY_ROLES = {Role.COUNTY, Role.ADMIN}


def is_county_account(user) -> bool:
    return (user.is_active and user.role in COUNTY_ROLES and user.region_id is not None
            and user.region.level == Level.COUNTY)


def may_write(user) -> bool:
    """``user`` None is the system itself (``fupin whatif run`` without ``--user``)."""
    return user is None or (user.is_authenticated and is_county_account(user) and user.can_write)


def county_of(user):
    return user.region


whatif_work = AppAccess(lambda user, route: is_county_account(user), "政策模拟只对县级账号开放")
