"""Filters of the household change list, shared by the page, its export and the API."""

from django import forms

from fupin.regions.models import region_prefix

from .models import Outcome

BLANK = [("", "全部")]


class HouseholdFilterForm(forms.Form):
    outcome = forms.ChoiceField(label="变化", required=False, choices=BLANK + Outcome.choices)
    region = forms.CharField(label="乡镇或村", required=False, max_length=12, widget=forms.TextInput(
        attrs={"placeholder": "乡镇或村的区划代码", "list": "region-codes", "inputmode": "numeric"}))
    q = forms.CharField(label="户编号", required=False, max_length=30)

    def clean_region(self):
        value = self.cleaned_data["region"].strip()
        if value and not (value.isdigit() and len(value) == 12):
            raise forms.ValidationError("区划代码应为12位数字")
        return value


def filter_households(queryset, params):
    form = HouseholdFilterForm(params or None)
    if not form.is_bound:
        return queryset, form
    if not form.is_valid():
        return queryset.none(), form
    data = form.cleaned_data
    if data["outcome"]:
        queryset = queryset.filter(outcome=data["outcome"])
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    if data["q"]:
        queryset = queryset.filter(household__number__contains=data["q"].strip())
    return queryset, form
