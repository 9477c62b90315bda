"""Filters of the team, member and unit-pairing lists, shared by the pages, their exports and the API."""

from django import forms
from django.db.models import Q

from fupin.regions.models import region_prefix

from .models import MemberStatus, TeamRole, UnitLevel

COMPLETENESS = (("", "全部"), ("problems", "配备不完整"), ("ok", "配备完整"))


class TeamFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "村名或工作队"}))
    region = forms.CharField(label="区划代码", required=False)
    completeness = forms.ChoiceField(label="配备情况", required=False, choices=COMPLETENESS)


class MemberFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名或派出单位"}))
    region = forms.CharField(label="区划代码", required=False)
    role = forms.ChoiceField(label="职务", required=False, choices=(("", "全部"), *TeamRole.choices))
    status = forms.ChoiceField(label="状态", required=False, choices=(("", "全部"), *MemberStatus.choices))


class UnitFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "帮扶单位或村名"}))
    region = forms.CharField(label="区划代码", required=False)
    unit_level = forms.ChoiceField(label="单位隶属", required=False, choices=(("", "全部"), *UnitLevel.choices))
    current = forms.ChoiceField(label="期间", required=False, choices=(("", "全部"), ("yes", "帮扶中"), ("no", "已结束")))


def _valid(form_class, params):
    """The form and its data; no filters (or wrong ones) leave the list unfiltered, the form shows the errors."""
    form = form_class(params or None)
    return form, (form.cleaned_data if form.is_valid() else {})


def filter_villages(villages, params):
    """The villages of the team list (the completeness filter is applied on the checks, see views_teams)."""
    form, data = _valid(TeamFilterForm, params)
    if data.get("q"):
        villages = villages.filter(Q(name__contains=data.get("q")) | Q(code__startswith=data.get("q")))
    if data.get("region"):
        villages = villages.in_region(region_prefix(data.get("region")))
    return villages, form


def filter_members(queryset, params):
    form, data = _valid(MemberFilterForm, params)
    if data.get("q"):
        queryset = queryset.filter(Q(name__contains=data.get("q")) | Q(unit__contains=data.get("q")))
    if data.get("region"):
        queryset = queryset.in_region(region_prefix(data.get("region")))
    if data.get("role"):
        queryset = queryset.filter(role=data.get("role"))
    if data.get("status"):
        queryset = queryset.filter(status=data.get("status"))
    return queryset, form


def filter_units(queryset, params):
    form, data = _valid(UnitFilterForm, params)
    if data.get("q"):
        queryset = queryset.filter(Q(unit__contains=data.get("q")) | Q(village__name__contains=data.get("q")))
    if data.get("region"):
        queryset = queryset.in_region(region_prefix(data.get("region")))
    if data.get("unit_level"):
        queryset = queryset.filter(unit_level=data.get("unit_level"))
    if data.get("current") == "yes":
        queryset = queryset.filter(end__isnull=True)
    elif data.get("current") == "no":
        queryset = queryset.filter(end__isnull=False)
    return queryset, form
