"""Suspect list filters, shared by the list page, its Excel export and the API."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from fupin.core import idnumber
from fupin.regions.models import Level, Region

from . import rules as rule_book
from .access import rules_visible_to
from .models import SuspectStatus


class SuspectFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "姓名、户编号或证件号码"}))
    rule = forms.ChoiceField(label="疑点类型", required=False)
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部"), ("active", "待核查和属实"), *SuspectStatus.choices])
    region = forms.ChoiceField(label="乡镇/村", required=False)
    overdue = forms.BooleanField(label="只看超期未核查", required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        rules = rule_book.all_rules() if user is None else rules_visible_to(user)
        self.fields["rule"].choices = [("", "全部")] + [(r.code, r.name) for r in rules]
        regions = Region.objects.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE])
        if user is not None:
            regions = regions.visible_to(user)
        self.fields["region"].choices = [("", "全部")] + [
            (r.code, ("　" if r.level == Level.VILLAGE else "") + r.name) for r in regions.order_by("code")[:2000]
        ]


def _number(params, name):
    value = str((params or {}).get(name) or "")
    return int(value) if value.isdigit() else None


def filter_suspects(queryset, params, user=None) -> tuple:
    """Apply the filter form; ``dataset`` and ``run`` (links from a data set or a run) narrow further."""
    form = SuspectFilterForm(params or None, user=user)
    if not form.is_valid():
        return queryset, form
    data = form.cleaned_data
    text = (data["q"] or "").strip()
    if text:
        checked = idnumber.check(text)
        if checked.valid:
            queryset = queryset.filter(id_number=checked.normalized)
        else:
            queryset = queryset.filter(
                Q(member_name__contains=text) | Q(household_number__contains=text) | Q(id_number__endswith=text.upper())
            )
    if data["rule"]:
        queryset = queryset.filter(rule=data["rule"])
    if data["status"] == "active":
        queryset = queryset.filter(status__in=[SuspectStatus.OPEN, SuspectStatus.CONFIRMED])
    elif data["status"]:
        queryset = queryset.filter(status=data["status"])
    if data["region"]:
        region = Region.objects.filter(code=data["region"]).first()
        queryset = queryset.filter(village_code__in_region=region.prefix if region else data["region"])
    if data["overdue"]:
        queryset = queryset.filter(status=SuspectStatus.OPEN, due_date__lt=timezone.localdate())
    if _number(params, "dataset"):
        queryset = queryset.filter(dataset_id=_number(params, "dataset"))
    if _number(params, "run"):
        queryset = queryset.filter(first_run_id=_number(params, "run"))
    return queryset, form
