from django import template

from fupin.core.scope import in_scope

from ..models import Kind, Status
from ..services import user_level

register = template.Library()


@register.simple_tag(takes_context=True)
def household_procedures(context, household) -> dict:
    """The procedures of one household and whether the viewer may start one (for procedures/_household_panel.html)."""
    user = context["request"].user
    procedures = list(household.procedures.select_related("village").prefetch_related("steps").order_by("-created"))
    for procedure in procedures:
        procedure.active_step = procedure.current_step
    can_start = (
        user.can_write and user_level(user) is not None and in_scope(user, household.village_id)
        and not any(p.status == Status.IN_PROGRESS for p in procedures)
    )
    policy_ends = household.policy_ends.prefetch_related("notice_items__notice")
    return {"procedures": procedures, "can_start": can_start, "kinds": Kind.choices, "policy_ends": policy_ends}
