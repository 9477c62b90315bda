"""List filters shared by the pages, the Excel exports, the API and the CLI, so all select the same rows."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from fupin.regions.models import region_prefix

from . import services
from .choices import LoanStatus, Usage

LOST_CHOICES = [("", "全部"), ("paid", "应贴息"), ("lost", "不予贴息")]


class LoanFilterForm(forms.Form):
    q = forms.CharField(label="合同编号/户编号/户主/借款人", required=False)
    region = forms.CharField(label="区划代码", required=False)
    bank = forms.CharField(label="放贷银行", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *LoanStatus.choices])
    usage = forms.ChoiceField(label="使用方式", required=False, choices=[("", "全部"), *Usage.choices])
    year = forms.IntegerField(label="放款年度", required=False, min_value=2000, max_value=2100)
    overdue = forms.BooleanField(label="仅逾期", required=False)


def filter_loans(queryset, params) -> tuple:
    form = LoanFilterForm(params or {})
    if not form.is_valid():
        return queryset.none(), form
    data = form.cleaned_data
    if data["q"]:
        text = data["q"].strip()
        queryset = queryset.filter(Q(contract_number__startswith=text) | Q(household__number__startswith=text)
                                   | Q(household__head_name__contains=text) | Q(borrower__name__contains=text))
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    if data["bank"]:
        queryset = queryset.filter(bank__contains=data["bank"].strip())
    if data["status"]:
        queryset = queryset.filter(status=data["status"])
    if data["usage"]:
        queryset = queryset.filter(usage=data["usage"])
    if data["year"]:
        queryset = queryset.filter(start_date__year=data["year"])
    if data["overdue"]:
        queryset = services.overdue(queryset)
    return queryset, form


class DueSoonFilterForm(forms.Form):
    region = forms.CharField(label="区划代码", required=False)
    bank = forms.CharField(label="放贷银行", required=False)
    days = forms.IntegerField(label="天数", required=False, min_value=1, max_value=366,
                              help_text="留空按小额信贷参数的临期提醒天数")


def filter_due_soon(queryset, params, default_days: int) -> tuple:
    form = DueSoonFilterForm(params or {})
    if not form.is_valid():
        return queryset.none(), form
    data = form.cleaned_data
    queryset = services.due_soon(queryset, timezone.localdate(), data["days"] or default_days)
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    if data["bank"]:
        queryset = queryset.filter(loan__bank__contains=data["bank"].strip())
    return queryset, form


class SubsidyFilterForm(forms.Form):
    region = forms.CharField(label="区划代码", required=False)
    bank = forms.CharField(label="放贷银行", required=False)
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    lost = forms.ChoiceField(label="贴息", required=False, choices=LOST_CHOICES)


def filter_subsidies(queryset, params) -> tuple:
    form = SubsidyFilterForm(params or {})
    if not form.is_valid():
        return queryset.none(), form
    data = form.cleaned_data
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    if data["bank"]:
        queryset = queryset.filter(loan__bank__contains=data["bank"].strip())
    if data["year"]:
        queryset = queryset.filter(year=data["year"])
    if data["lost"] == "lost":
        queryset = queryset.exclude(lost_reason="")
    elif data["lost"] == "paid":
        queryset = queryset.filter(lost_reason="")
    return queryset, form
