"""Filters of the sample list, shared by the page, its Excel export and the API."""

from django import forms
from django.db.models import Q

from .choices import HouseholdStratum, VillageStratum

BLANK = [("", "全部")]


class SampleFilterForm(forms.Form):
    assessment = forms.IntegerField(label="评估批次编号", min_value=1, max_value=2**31 - 1)
    township = forms.CharField(label="乡镇区划代码", required=False, max_length=12)
    village_stratum = forms.ChoiceField(label="村层", required=False, choices=BLANK + VillageStratum.choices)
    stratum = forms.ChoiceField(label="户层", required=False, choices=BLANK + HouseholdStratum.choices)
    surveyed = forms.ChoiceField(label="调查情况", required=False,
                                 choices=BLANK + [("1", "已调查"), ("0", "未调查")])
    q = forms.CharField(label="户主或户编号", required=False, max_length=50)

    def clean_township(self):
        value = self.cleaned_data["township"].strip()
        if value and not (value.isdigit() and len(value) == 12):
            raise forms.ValidationError("乡镇区划代码应为12位数字")
        return value


def filter_samples(queryset, params):
    """The sample households narrowed by the parameters; without a valid assessment, none."""
    form = SampleFilterForm(params)
    if not form.is_valid():
        return queryset.none(), form
    data = form.cleaned_data
    queryset = queryset.filter(assessment_id=data["assessment"])
    if data["township"]:
        queryset = queryset.filter(township_code=data["township"])
    if data["village_stratum"]:
        queryset = queryset.filter(sample_village__stratum=data["village_stratum"])
    if data["stratum"]:
        queryset = queryset.filter(stratum=data["stratum"])
    if data["surveyed"]:
        queryset = queryset.filter(sheet__isnull=data["surveyed"] == "0")
    if data["q"]:
        queryset = queryset.filter(Q(household__head_name__contains=data["q"]) | Q(household__number=data["q"]))
    return queryset, form
