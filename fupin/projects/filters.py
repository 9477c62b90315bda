"""The project list's filters, shared by the page, its export, the API and ``fupin projects list``."""

from django.db.models import Exists, OuterRef, Q

from fupin.procedures.models import StepStatus
from fupin.procedures.services import user_level
from fupin.regions.models import region_prefix

from .forms import ProjectFilterForm
from .models import ProjectStep


def awaiting(user):
    """Projects whose current step this account's level acts on (待我审批)."""
    step = ProjectStep.objects.filter(project=OuterRef("pk"), order=OuterRef("current_order"),
                                      status=StepStatus.ACTIVE, actor_level=user_level(user))
    return Exists(step)


def filter_projects(queryset, params, user=None):
    form = ProjectFilterForm(params or None)
    if not form.is_valid():
        return queryset, form
    data = form.cleaned_data
    if data["q"]:
        queryset = queryset.filter(Q(name__contains=data["q"]) | Q(implementing_unit__contains=data["q"]))
    if data["year"]:
        queryset = queryset.filter(year=data["year"])
    if data["kind"]:
        queryset = queryset.filter(kind=data["kind"])
    if data["status"]:
        queryset = queryset.filter(status=data["status"])
    if data["library"]:
        queryset = queryset.filter(library_status=data["library"])
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    if data["todo"] and user is not None:
        queryset = queryset.filter(awaiting(user))
    return queryset, form
