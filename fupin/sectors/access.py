"""Who may use the 行业政策 pages and API, and which records each account sees (see core/access.py).

The register's staff see every sector's records in their region. A department account of 教育, 医保, 卫健, 民政, 住建,
水利 or 残联 reads and enters its own sector's records (``choices.SECTOR_DEPARTMENTS``; for the shared ``Enrolment``
table, its policies: ``POLICY_DEPARTMENTS``) in its region, and sees the 应享未享 gaps of its sector's rules.
"""

from __future__ import annotations

from fupin.accounts.models import Role
from fupin.comparison.access import department_of
from fupin.core.access import AppAccess
from fupin.registry.access import register_work

from .choices import POLICY_DEPARTMENTS, POLICY_SECTOR, SECTOR_DEPARTMENTS

SECTOR_DEPARTMENT_NAMES = frozenset(name for names in SECTOR_DEPARTMENTS.values() for name in names)
# Who enters sector records besides the departments; leaders and auditors read.
ENTRY_ROLES = {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY, Role.ADMIN}
CONFIGURERS = {Role.COUNTY, Role.ADMIN}


def is_sector_department(user) -> bool:
    return user.role == Role.DEPARTMENT and user.department.strip() in SECTOR_DEPARTMENT_NAMES


sectors_work = AppAccess(lambda user, route: register_work.allows(user) or is_sector_department(user))


def sectors_of(user) -> set[str] | None:
    """The sectors a department account works on; None for every other account (all sectors)."""
    department = department_of(user)
    if department is None:
        return None
    return {sector for sector, names in SECTOR_DEPARTMENTS.items() if department and department in names}


def policies_of(user) -> set[str] | None:
    department = department_of(user)
    if department is None:
        return None
    return {policy for policy, names in POLICY_DEPARTMENTS.items() if department and department in names}


def covers_policy(user, policy: str) -> bool:
    policies = policies_of(user)
    return policies is None or policy in policies


def covers_sector(user, sector: str) -> bool:
    sectors = sectors_of(user)
    return sectors is None or sector in sectors


def record_sector(instance) -> str:
    """The sector of a record (an Enrolment's is its policy's)."""
    policy = getattr(instance, "policy", None)
    return POLICY_SECTOR[policy] if policy else type(instance).sector


def covers_record(user, instance) -> bool:
    policy = getattr(instance, "policy", None)
    return covers_policy(user, policy) if policy else covers_sector(user, type(instance).sector)


def visible(user, model):
    """The model's rows the account may read: its region, and for a department its sector (or policies)."""
    queryset = model.objects.visible_to(user)
    if user is None or department_of(user) is None:
        return queryset
    if hasattr(model, "policy"):
        return queryset.filter(policy__in=policies_of(user))
    return queryset if covers_sector(user, model.sector) else queryset.none()


def can_enter(user, instance) -> bool:
    """Whether the account may write this record kind (its region is checked by the services)."""
    if user.is_superuser:
        return True
    if not user.can_write:
        return False
    if user.role == Role.DEPARTMENT:
        return is_sector_department(user) and covers_record(user, instance)
    return user.role in ENTRY_ROLES


def can_configure(user) -> bool:
    """政策标准, 慢性病目录 and 应享未享规则: the county office and the administrator."""
    return user.is_superuser or (user.can_write and user.role in CONFIGURERS)


def can_run_coverage(user) -> bool:
    return user.is_superuser or (user.can_write and user.role in {Role.TOWNSHIP, Role.COUNTY, Role.ADMIN})
