"""The asset list's filters, shared by the page, the export and the API."""

from django.db.models import Q

from fupin.regions.models import region_prefix

from .choices import RequestStatus
from .forms import AssetFilterForm


def filter_assets(queryset, params):
    form = AssetFilterForm(params or None)
    if not form.is_bound:
        return queryset, form
    if not form.is_valid():
        return queryset.none(), form
    data = form.cleaned_data
    if data["q"]:
        q = data["q"]
        queryset = queryset.filter(Q(name__contains=q) | Q(certificate__startswith=q) | Q(owner__contains=q)
                                   | Q(operator__contains=q))
    for name in ("kind", "sub_kind", "status", "fund_source"):
        if data[name]:
            queryset = queryset.filter(**{name: data[name]})
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    if data["year"]:
        queryset = queryset.filter(formed_on__year=data["year"])
    if data["pending"]:
        queryset = queryset.filter(changes__status=RequestStatus.PENDING)
    return queryset, form
