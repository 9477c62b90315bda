"""Filters of the funds lists (funds, allocations, disbursements, batches), shared by the pages, exports and API.

Each ``filter_*`` takes a queryset already scoped to the user and the request's parameters and returns the
narrowed queryset with the bound form (an invalid form filters nothing away and shows its errors).
"""

from django import forms
from django.db.models import Q

from fupin.regions.models import Level, region_prefix

from .models import AllocationStatus, BatchStatus, FundSource

BLANK = [("", "全部")]


class RegionField(forms.CharField):
    """区划: a region code; the rows under it are kept (a township keeps its villages')."""

    def __init__(self, **kwargs):
        super().__init__(label="区划", required=False, max_length=12,
                         widget=forms.TextInput(attrs={"placeholder": "乡镇或村的区划代码", "list": "region-codes",
                                                       "inputmode": "numeric"}), **kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        if value and not (value.isdigit() and len(value) == 12):
            raise forms.ValidationError("区划代码应为12位数字")
        return value


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(label="年度", required=False, min_value=2000, max_value=2100, **kwargs)


class FundFilterForm(forms.Form):
    q = forms.CharField(label="资金名称或文号", required=False, max_length=100)
    year = YearField()
    source = forms.ChoiceField(label="资金来源", required=False, choices=BLANK + FundSource.choices)
    region = RegionField()


class AllocationFilterForm(forms.Form):
    q = forms.CharField(label="资金项目或项目名称", required=False, max_length=100)
    year = YearField()
    fund = forms.IntegerField(label="资金指标编号", required=False, min_value=1)
    project = forms.IntegerField(label="项目编号", required=False, min_value=1)
    status = forms.ChoiceField(label="状态", required=False, choices=BLANK + AllocationStatus.choices)
    region = RegionField()


class DisbursementFilterForm(forms.Form):
    payee = forms.CharField(label="收款人", required=False, max_length=100)
    year = YearField()
    fund = forms.IntegerField(label="资金指标编号", required=False, min_value=1)
    project = forms.IntegerField(label="项目编号", required=False, min_value=1)
    allocation = forms.IntegerField(label="资金分配编号", required=False, min_value=1)
    region = RegionField()
    date_from = forms.DateField(label="拨付日期起", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="拨付日期止", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    batch = forms.IntegerField(label="批次编号", required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data


class BatchFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=BLANK + BatchStatus.choices)
    region = RegionField()


def _bound(form_class, params):
    form = form_class(params or None)
    return form, (form.cleaned_data if form.is_valid() else None)


def filter_funds(queryset, params):
    form, data = _bound(FundFilterForm, params)
    if data is None:
        return (queryset if not form.is_bound else queryset.none()), form
    if data["q"]:
        queryset = queryset.filter(Q(title__contains=data["q"]) | Q(document_number__contains=data["q"]))
    if data["year"]:
        queryset = queryset.filter(year=data["year"])
    if data["source"]:
        queryset = queryset.filter(source=data["source"])
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    return queryset, form


def filter_allocations(queryset, params):
    form, data = _bound(AllocationFilterForm, params)
    if data is None:
        return (queryset if not form.is_bound else queryset.none()), form
    if data["q"]:
        queryset = queryset.filter(Q(item__contains=data["q"]) | Q(project__name__contains=data["q"]))
    if data["year"]:
        queryset = queryset.filter(fund__year=data["year"])
    for name in ("fund", "project"):
        if data[name]:
            queryset = queryset.filter(**{f"{name}_id": data[name]})
    if data["status"]:
        queryset = queryset.filter(status=data["status"])
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    return queryset, form


def filter_disbursements(queryset, params):
    form, data = _bound(DisbursementFilterForm, params)
    if data is None:
        return (queryset if not form.is_bound else queryset.none()), form
    if data["payee"]:
        queryset = queryset.filter(payee_name__contains=data["payee"].strip())
    if data["year"]:
        queryset = queryset.filter(fund__year=data["year"])
    for name in ("fund", "allocation", "batch"):
        if data[name]:
            queryset = queryset.filter(**{f"{name}_id": data[name]})
    if data["project"]:
        queryset = queryset.filter(allocation__project_id=data["project"])
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    if data["date_from"]:
        queryset = queryset.filter(paid_on__gte=data["date_from"])
    if data["date_to"]:
        queryset = queryset.filter(paid_on__lte=data["date_to"])
    return queryset, form


def filter_batches(queryset, params):
    form, data = _bound(BatchFilterForm, params)
    if data is None:
        return (queryset if not form.is_bound else queryset.none()), form
    if data["status"]:
        queryset = queryset.filter(status=data["status"])
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    return queryset, form


def township_choices(regions):
    """Township and village codes for the 区划 datalist of a filter bar."""
    return regions.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE]).order_by("code").values_list("code", "name")[:2000]
