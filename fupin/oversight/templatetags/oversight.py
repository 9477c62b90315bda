"""Template helpers of the panels this app adds to other apps' pages (household file, project page, suspect,
anomaly and finding pages, 总览's to-do list), each scoped to the viewing user and shown only to accounts that may
use the ledger."""

from django import template
from django.utils import timezone

from .. import access
from ..filters import Todo, todo_filter
from ..models import Problem

register = template.Library()
PANEL_ROWS = 20


def _problems(user):
    if not access.oversight_work.allows(user):
        return Problem.objects.none()
    return Problem.objects.visible_to(user)


@register.simple_tag
def household_problems(household, user):
    return list(_problems(user).filter(household=household).select_related("region").order_by("-created")[:PANEL_ROWS])


@register.simple_tag
def project_problems(project, user):
    return list(_problems(user).filter(project=project).select_related("region").order_by("-created")[:PANEL_ROWS])


@register.simple_tag
def open_problem(kind, pk, user):
    """The open problem a suspect, anomaly or finding (``kind`` "comparison.suspect"…) is on the ledger as."""
    return _problems(user).open().filter(subject=f"{kind}:{pk}").first()


@register.simple_tag
def may_record(user, region_code):
    return access.oversight_work.allows(user) and access.may_change(user, region_code)


@register.simple_tag
def problem_todo(user):
    """待办 counts: the account's own problems (open, overdue), applications it signs off, escalations to it."""
    problems = _problems(user)
    if not access.oversight_work.allows(user) or user.region_id is None:
        return None
    today = timezone.localdate()
    mine = problems.open().filter(todo_filter(user, Todo.MINE))
    figures = {
        "mine": mine.count(), "overdue": mine.filter(deadline__lt=today).count(),
        "sign_off": problems.filter(todo_filter(user, Todo.SIGN_OFF)).count(),
        "escalated": problems.open().filter(todo_filter(user, Todo.ESCALATED)).count(),
    }
    return figures if any(figures.values()) else None
