"""Who may run checks, answer anomalies and manage rules (on top of ``funds.access.funds_work``: the register's
staff, 财政/审计 read-only)."""

from fupin.accounts.models import Role
from fupin.core.scope import in_scope
from fupin.projects.access import may_change_money

RUNNERS = {Role.TOWNSHIP, Role.COUNTY, Role.ADMIN}


def can_run(user) -> bool:
    return user is None or (may_change_money(user) and user.role in RUNNERS)


def can_answer(user, anomaly) -> bool:
    """The responsible region or a level above it, with write rights; departments only read."""
    return user is None or (may_change_money(user) and in_scope(user, anomaly.region_id))


def can_manage_rules(user) -> bool:
    return user is None or user.is_superuser or (user.role == Role.ADMIN and user.can_write)
