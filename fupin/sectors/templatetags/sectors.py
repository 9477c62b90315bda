"""What the household file and its printed manual show of 行业政策: the household's records by kind and its open
应享未享 gaps, scoped to the user (region and sector)."""

from django import template

from .. import board
from ..access import can_enter, sectors_work, visible
from ..choices import GapStatus, Policy
from ..kinds import KINDS, MEMBER
from ..models import Enrolment

register = template.Library()


def _line(record) -> str:
    """One record in a line, without health details (no diagnosis, no disease name)."""
    parts = []
    member = getattr(record, "member", None) if getattr(record, "member_id", None) else None
    if member is not None:
        parts.append(f"{member.name}：")
    parts.append(str(record))
    status = getattr(record, "get_status_display", None)
    if status is not None:
        parts.append(f"（{status()}）")
    return "".join(parts)


@register.simple_tag
def household_policies(household, user):
    """[{kind, rows: [(line, url)], add_url}] for the kinds with records or that the user may add, and the gaps."""
    if not sectors_work.allows(user):
        return {"kinds": [], "gaps": []}
    kinds = []
    for kind in KINDS:
        related = ["member"] if kind.subject == MEMBER else []
        records = list(visible(user, kind.model).filter(household=household).select_related(*related)[:50])
        sample = Enrolment(policy=Policy.FAMILY_DOCTOR) if kind.model is Enrolment else kind.model()
        may_add = user.can_write and can_enter(user, sample)
        if records or may_add:
            kinds.append({"kind": kind, "rows": [(_line(r), kind.url("detail", r.pk)) for r in records],
                          "add_url": f"{kind.url('create')}?household={household.pk}" if may_add else ""})
    names = board.rule_names()
    gaps = [(names.get(g.rule, g.rule), g.member_name) for g in
            board.gaps_visible_to(user).filter(household=household, status=GapStatus.OPEN).order_by("rule")]
    return {"kinds": kinds, "gaps": gaps}


@register.simple_tag
def household_policy_lines(household, user):
    """(kind title, line) of every record of the household the user may see, for the printed manual."""
    return [(entry["kind"].title, line) for entry in household_policies(household, user)["kinds"]
            for line, _url in entry["rows"]]
