"""Who may use the money apps — projects, funds, assets, micro-credit (see core/access.py).

Those who work on the register use them in their region; the finance and audit departments (财政, 审计) read them
by region and change nothing. funds, assets and credit import ``money_work`` from here (they sit above projects).
"""

from fupin.accounts.models import Role
from fupin.core.access import AppAccess
from fupin.registry.access import register_work

# The departments (User.department) that read the money apps, read-only.
MONEY_READING_DEPARTMENTS = frozenset({"财政", "审计"})


def reads_money_only(user) -> bool:
    return user.role == Role.DEPARTMENT and user.department in MONEY_READING_DEPARTMENTS


def may_change_money(user) -> bool:
    """A write in the money apps: the register's staff with write rights (never a department or read-only role)."""
    return user is None or (register_work.allows(user) and user.can_write and user.role != Role.DEPARTMENT)


money_work = AppAccess(lambda user, route: register_work.allows(user) or reads_money_only(user))
projects_work = money_work
