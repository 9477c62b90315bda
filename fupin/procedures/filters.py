"""The procedure list's filters, shared by the page, the API and ``fupin procedures list``."""

from django.db.models import Q

from fupin.regions.models import region_prefix

from . import services
from .forms import ProcedureFilterForm


def filter_procedures(queryset, params, user):
    form = ProcedureFilterForm(params or None)
    if not form.is_valid():
        return queryset, form
    data = form.cleaned_data
    if data["q"]:
        queryset = queryset.filter(Q(household__number__startswith=data["q"]) | Q(household__head_name__contains=data["q"]))
    if data["kind"]:
        queryset = queryset.filter(kind=data["kind"])
    if data["status"]:
        queryset = queryset.filter(status=data["status"])
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    if data["year"]:
        queryset = queryset.filter(year=data["year"])
    if data["todo"]:
        queryset = queryset.filter(pk__in=services.todo_steps(user).values("procedure_id"))
    if data["overdue"]:
        queryset = queryset.filter(pk__in=services.overdue_steps(user).values("procedure_id"))
    return queryset, form
