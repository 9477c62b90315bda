"""Who may do what in the comparison app, and what each account sees (see core/access.py and docs/access.md).

``user=None`` is the system itself (the CLI and nightly jobs): it may do everything and sees everything.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from fupin.accounts.models import Role
from fupin.core.access import AppAccess
from fupin.core.scope import in_scope, user_scope_prefix
from fupin.registry.access import ADMINISTRATION_ONLY_ROLES

from . import rules as rule_book
from .models import ComparisonRun, Dataset, DatasetKind, Suspect

DATASET_WRITERS = {Role.COUNTY, Role.DEPARTMENT, Role.ADMIN}
DATASET_READERS = DATASET_WRITERS | {Role.LEADER, Role.AUDITOR}
RUNNERS = {Role.COUNTY, Role.ADMIN}
VERIFIERS = {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY, Role.ADMIN}
SUSPECT_READERS = VERIFIERS | {Role.LEADER, Role.AUDITOR, Role.DEPARTMENT}
RUN_READERS = RUNNERS | {Role.LEADER, Role.AUDITOR}

# Every comparison page and API route is refused to the security and audit administrators (registry/access.py).
comparison_work = AppAccess(lambda user, route: user.is_superuser or user.role not in ADMINISTRATION_ONLY_ROLES)


def _has_role(user, roles) -> bool:
    return user is None or user.is_superuser or (user.is_active and user.role in roles)


def can_upload(user) -> bool:
    return _has_role(user, DATASET_WRITERS) and (user is None or user.can_write)


def can_run(user) -> bool:
    return _has_role(user, RUNNERS) and (user is None or user.can_write)


def can_verify(user, suspect: Suspect) -> bool:
    return (
        _has_role(user, VERIFIERS) and (user is None or user.can_write)
        and (user is None or in_scope(user, suspect.village_code))
    )


def can_read_datasets(user) -> bool:
    return _has_role(user, DATASET_READERS)


def can_read_suspects(user) -> bool:
    return _has_role(user, SUSPECT_READERS)


def can_read_runs(user) -> bool:
    return _has_role(user, RUN_READERS)


def can_manage_kinds(user) -> bool:
    return user is None or user.can_administer


def can_delete(user, dataset: Dataset, today: dt.date | None = None) -> bool:
    """After the retention period, whoever may upload; before it, only an administrator (a wrong file)."""
    today = today or timezone.localdate()
    if user is not None and not datasets_visible_to(user).filter(pk=dataset.pk).exists():
        return False
    if dataset.retention_until <= today:
        return can_upload(user)
    return can_manage_kinds(user)


def department_of(user) -> str | None:
    """The department a department account acts for ('' if its account names none); None for every other account."""
    if user is None or user.is_superuser or user.role != Role.DEPARTMENT:
        return None
    return user.department.strip()


def kinds_visible_to(user):
    """Kinds an account may upload and read: a department account only those its department owns
    (``DatasetKind.departments``), every other account all of them."""
    queryset = DatasetKind.objects.all()
    department = department_of(user)
    if department is None:
        return queryset
    # A handful of kinds, each naming its departments as text: matched here rather than by a LIKE that would
    # also take 公安 for 公安交管.
    return queryset.filter(pk__in=[k.pk for k in queryset if department and department in k.department_list])


def rules_visible_to(user) -> list:
    """Rules an account may see: a department account only the rules on its kinds."""
    rules = rule_book.all_rules()
    if department_of(user) is None:
        return rules
    codes = set(kinds_visible_to(user).values_list("code", flat=True))
    return [rule for rule in rules if rule.kind in codes]


def datasets_visible_to(user):
    """Data sets a user may see: those of their region (or loaded by the system); a department account only those
    of its department's kinds. Village and township accounts see suspects, not department data."""
    queryset = Dataset.objects.select_related("kind", "uploaded_by")
    if user is None:
        return queryset
    prefix = user_scope_prefix(user)
    if prefix is None or not can_read_datasets(user):
        return queryset.none()
    queryset = queryset.filter(Q(region_code__in_region=prefix) | Q(region_code=""))
    if department_of(user) is not None:
        queryset = queryset.filter(kind__in=kinds_visible_to(user))
    return queryset


def suspects_visible_to(user):
    """Suspects in the user's region; a department account sees only those of the rules on its kinds."""
    if user is None:
        return Suspect.objects.all()
    if not can_read_suspects(user):
        return Suspect.objects.none()
    queryset = Suspect.objects.visible_to(user)
    if department_of(user) is not None:
        queryset = queryset.filter(rule__in=[rule.code for rule in rules_visible_to(user)])
    return queryset


def runs_visible_to(user):
    """Runs over the user's region or inside it; runs of the whole register (the CLI's) are shown to all of them."""
    queryset = ComparisonRun.objects.select_related("started_by", "job")
    if user is None:
        return queryset
    if not can_read_runs(user):
        return queryset.none()
    prefix = user_scope_prefix(user)
    if prefix is None:
        return queryset.none()
    return queryset.filter(Q(region_code__in_region=prefix) | Q(region_code=""))
