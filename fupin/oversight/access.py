"""Who may use the problem ledger (see core/access.py), who changes a problem and who signs it off.

The register's staff work on it in their region; the 审计 and 督查 departments read it and change nothing (as the
money apps' readers do, ``projects.access``). A problem is signed off (销号) by the level above its region: the
township signs off a village's problem, the county a township's and its own.
"""

from fupin.accounts.models import ROLE_LEVEL, Role
from fupin.core.access import AppAccess
from fupin.core.scope import in_scope
from fupin.regions.models import Level
from fupin.registry.access import register_work

# The departments (User.department) that read the ledger, read-only.
READING_DEPARTMENTS = frozenset({"审计", "督查"})


def reads_only(user) -> bool:
    return user.role == Role.DEPARTMENT and user.department in READING_DEPARTMENTS


oversight_work = AppAccess(lambda user, route: register_work.allows(user) or reads_only(user))


def user_level(user) -> int | None:
    return ROLE_LEVEL.get(user.role)


def may_write(user) -> bool:
    """Recording and rectifying problems: the register's staff with write rights (the system when ``None``)."""
    return user is None or (register_work.allows(user) and user.can_write and user.role != Role.DEPARTMENT)


def may_change(user, region_code: str) -> bool:
    return may_write(user) and (user is None or in_scope(user, region_code))


def signer_level(region_level: int) -> int:
    """The level that signs off a problem of a region at ``region_level``: the one above, the county at most."""
    return max(region_level - 1, Level.COUNTY)


def may_sign_off(user, region_code: str, region_level: int) -> bool:
    if user is None or (user.is_superuser and user.region_id is None):
        return True
    return (may_change(user, region_code) and user_level(user) == signer_level(region_level))
