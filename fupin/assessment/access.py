"""Who may use the assessment pages and API, create assessments and fill survey forms (see core/access.py).

The register's staff read assessments of their region (a village or township its own part of a county's
assessment); county staff create them, draw samples and edit questionnaires and gates; an assessment's enumerators
(the accounts named on it, usually county staff or a third party's accounts bound to the county) and county staff
fill the survey forms of the sampled households in their scope.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from fupin.accounts.models import Role
from fupin.core.access import AppAccess
from fupin.core.scope import in_scope
from fupin.registry.access import register_work

MANAGERS = {Role.COUNTY, Role.ADMIN}

assessment_work = AppAccess(lambda user, route: register_work.allows(user))


def can_manage(user, region_code: str) -> bool:
    if user is None:
        return True  # the system (demo, CLI without an account)
    return bool(user.is_authenticated and user.can_write and (user.is_superuser or user.role in MANAGERS)
                and in_scope(user, region_code))


def ensure_can_manage(user, region_code: str) -> None:
    if not can_manage(user, region_code):
        raise PermissionDenied("只有县级扶贫部门可以创建和管理考核评估")


def can_survey(user, sample) -> bool:
    if user is None:
        return True
    if not (user.is_authenticated and user.can_write and in_scope(user, sample.village_id)):
        return False
    assessment = sample.assessment
    return can_manage(user, assessment.region_id) or assessment.enumerators.filter(pk=user.pk).exists()


def ensure_can_survey(user, sample) -> None:
    if not can_survey(user, sample):
        raise PermissionDenied("当前账号不是该评估的调查员，不能填报问卷")


def surveys_anything(user) -> bool:
    """The enumerator's page is in the menu of county staff and of the enumerators of an assessment under way."""
    return can_manage(user, user.region_id or "-") or user.assessments.filter(status="surveying").exists()
