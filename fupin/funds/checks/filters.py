"""Anomaly list filters (rule, status, 区划, year, search), shared by the page, its Excel export, the API and the CLI."""

from django import forms
from django.db.models import Q

from fupin.core import idnumber
from fupin.regions.models import Level, Region

from ..models import AnomalyStatus, FundRule

ACTIVE = "active"


class AnomalyFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "收款人或证件号码"}))
    rule = forms.ChoiceField(label="异常类型", required=False)
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部"), (ACTIVE, "待核实和属实"), *AnomalyStatus.choices])
    region = forms.ChoiceField(label="区划", required=False)
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "全部"), *FundRule.objects.order_by("code").values_list("code", "name")]
        regions = Region.objects.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE])
        if user is not None:
            regions = regions.visible_to(user)
        self.fields["region"].choices = [("", "全部")] + [
            (r.code, ("　" if r.level == Level.VILLAGE else "") + r.name) for r in regions.order_by("code")[:2000]
        ]


def filter_anomalies(queryset, params, user=None) -> tuple:
    form = AnomalyFilterForm(params or None, user=user)
    if not form.is_bound:
        return queryset, form
    if not form.is_valid():
        return queryset.none(), form  # an unknown rule or status matches nothing (the API answers 422)
    data = form.cleaned_data
    text = (data["q"] or "").strip()
    if text:
        checked = idnumber.check(text)
        if checked.valid:
            queryset = queryset.filter(id_number=checked.normalized)
        else:
            queryset = queryset.filter(Q(payee_name__contains=text) | Q(id_number__endswith=text.upper()))
    if data["rule"]:
        queryset = queryset.filter(rule__code=data["rule"])
    if data["status"] == ACTIVE:
        queryset = queryset.filter(status__in=[AnomalyStatus.PENDING, AnomalyStatus.CONFIRMED])
    elif data["status"]:
        queryset = queryset.filter(status=data["status"])
    if data["region"]:
        region = Region.objects.filter(code=data["region"]).first()
        queryset = queryset.in_region(region.prefix if region else data["region"])
    if data["year"]:
        queryset = queryset.filter(fund__year=data["year"])
    return queryset, form
