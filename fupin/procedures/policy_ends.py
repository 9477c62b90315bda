"""退出享受政策台账: the 稳定脱贫户 the county stopped enjoying policies (``services.end_policies`` enters them), kept on
their own ledger and published on a county 公告 (``notices.announce_policy_ends``). Here: the ledger's filters,
shared by the page, its export and the API.
"""

from django import forms
from django.db.models import Exists, Q

from fupin.regions.models import region_prefix

from .models import PolicyEnd
from .notices import announced_policy_ends

ANNOUNCED = (("", "全部"), ("yes", "已公告"), ("no", "未公告"))


class PolicyEndFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "户编号或户主姓名"}))
    region = forms.CharField(label="区划代码", required=False)
    year = forms.IntegerField(label="停止年度", required=False, min_value=2000, max_value=2100)
    exit_year = forms.IntegerField(label="脱贫年度", required=False, min_value=2000, max_value=2100)
    announced = forms.ChoiceField(label="公告", required=False, choices=ANNOUNCED)


def filter_policy_ends(queryset, params):
    """The ledger's filters, shared by the page, its export and the API."""
    form = PolicyEndFilterForm(params or None)
    if not form.is_valid():
        return queryset, form
    data = form.cleaned_data
    if data["q"]:
        queryset = queryset.filter(Q(household__number__startswith=data["q"])
                                   | Q(household__head_name__contains=data["q"]))
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    if data["year"]:
        queryset = queryset.filter(date__year=data["year"])
    if data["exit_year"]:
        queryset = queryset.filter(exit_year=data["exit_year"])
    if data["announced"]:
        announced = Exists(announced_policy_ends())
        queryset = queryset.filter(announced) if data["announced"] == "yes" else queryset.exclude(announced)
    return queryset, form


def unannounced(user):
    """Ledger rows in the account's scope not yet on a 公告."""
    return PolicyEnd.objects.visible_to(user).exclude(Exists(announced_policy_ends()))

