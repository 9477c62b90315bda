"""List filters shared by the pages, the Excel exports and the API, so all three select the same rows."""

from django import forms
from django.utils import timezone

from fupin.regions.models import region_prefix

from .models import (
    OPEN_ALERT_STATUSES,
    AlertStatus,
    MonitoredKind,
    MonitoredStatus,
    RiskType,
    Source,
)

OPEN = "open"


class AlertFilterForm(forms.Form):
    q = forms.CharField(label="户编号/户主", required=False)
    region = forms.CharField(label="区划代码", required=False)
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[(OPEN, "未办结"), ("", "全部"), *AlertStatus.choices])
    source = forms.ChoiceField(label="来源", required=False, choices=[("", "全部"), *Source.choices])
    rule = forms.CharField(label="规则代码", required=False)
    overdue = forms.BooleanField(label="仅超期未核实", required=False)
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)


def filter_alerts(queryset, params) -> tuple:
    form = AlertFilterForm(params if params else {"status": OPEN})
    if not form.is_valid():
        return queryset.none(), form
    data = form.cleaned_data
    if data["q"]:
        text = data["q"].strip()
        queryset = queryset.filter(household__number__startswith=text) | queryset.filter(
            household__head_name__contains=text)
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    if data["status"] == OPEN:
        queryset = queryset.filter(status__in=OPEN_ALERT_STATUSES)
    elif data["status"]:
        queryset = queryset.filter(status=data["status"])
    if data["source"]:
        queryset = queryset.filter(source=data["source"])
    if data["rule"]:
        queryset = queryset.filter(rules__contains=data["rule"].strip().upper())
    if data["overdue"]:
        queryset = queryset.filter(status=AlertStatus.PENDING, due__lt=timezone.localdate())
    if data["year"]:
        queryset = queryset.filter(year=data["year"])
    return queryset, form


class MonitoredFilterForm(forms.Form):
    q = forms.CharField(label="户编号/户主", required=False)
    region = forms.CharField(label="区划代码", required=False)
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[(MonitoredStatus.MONITORING, "监测帮扶中"), ("", "全部"),
                                        (MonitoredStatus.ELIMINATED, "风险已消除")])
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部"), *MonitoredKind.choices])
    risk = forms.ChoiceField(label="风险类型", required=False, choices=[("", "全部"), *RiskType.choices])
    year = forms.IntegerField(label="纳入年度", required=False, min_value=2000, max_value=2100)


def filter_monitored(queryset, params) -> tuple:
    form = MonitoredFilterForm(params if params else {"status": MonitoredStatus.MONITORING})
    if not form.is_valid():
        return queryset.none(), form
    data = form.cleaned_data
    if data["q"]:
        text = data["q"].strip()
        queryset = queryset.filter(household__number__startswith=text) | queryset.filter(
            household__head_name__contains=text)
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    if data["status"]:
        queryset = queryset.filter(status=data["status"])
    if data["kind"]:
        queryset = queryset.filter(kind=data["kind"])
    if data["risk"]:
        # Codes are two digits in a comma list: match the whole code.
        code = data["risk"]
        queryset = (queryset.filter(risks=code) | queryset.filter(risks__startswith=f"{code},")
                    | queryset.filter(risks__endswith=f",{code}") | queryset.filter(risks__contains=f",{code},"))
    if data["year"]:
        queryset = queryset.filter(year=data["year"])
    return queryset, form
