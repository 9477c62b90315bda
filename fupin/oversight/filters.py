"""Filters of the problem ledger, shared by the page, the export, the API and the CLI: ``filter_problems`` takes a
queryset already scoped to the user and the request's parameters and returns the narrowed queryset with the bound
form (an invalid form filters nothing away and shows its errors)."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from fupin.regions.models import Level, region_prefix

from . import access
from .models import Category, SourceKind, Status

BLANK = [("", "全部")]
YES_NO = [("", "全部"), ("1", "是"), ("0", "否")]


class Todo:
    """待办 views of the ledger, for the account asking."""

    MINE = "mine"  # the account's own problems to rectify: its region's, or those it is the owner of
    SIGN_OFF = "sign_off"  # applications for sign-off it decides (the level below's)
    ESCALATED = "escalated"  # overdue problems of the level below, reported up to it
    CHOICES = [("", "全部"), (MINE, "我的整改任务"), (SIGN_OFF, "待我审核销号"), (ESCALATED, "下级逾期上报")]


class ProblemFilterForm(forms.Form):
    q = forms.CharField(label="问题描述、责任单位或户编号", required=False, max_length=100)
    status = forms.ChoiceField(label="整改状态", required=False, choices=BLANK + Status.choices)
    source_kind = forms.ChoiceField(label="问题来源", required=False, choices=BLANK + SourceKind.choices)
    category = forms.ChoiceField(label="问题类别", required=False, choices=BLANK + Category.choices)
    region = forms.CharField(label="区划", required=False, max_length=12, widget=forms.TextInput(
        attrs={"placeholder": "乡镇或村的区划代码", "inputmode": "numeric"}))
    overdue = forms.ChoiceField(label="逾期", required=False, choices=YES_NO)
    owner = forms.CharField(label="责任人", required=False, max_length=150,
                            help_text="责任人账号的用户名或姓名")
    deadline_from = forms.DateField(label="整改时限起", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    deadline_to = forms.DateField(label="整改时限止", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    todo = forms.ChoiceField(label="待办", required=False, choices=Todo.CHOICES)

    def clean_region(self):
        value = self.cleaned_data["region"].strip()
        if value and not (value.isdigit() and len(value) == 12):
            raise forms.ValidationError("区划代码应为12位数字")
        return value

    def clean(self):
        data = super().clean()
        if data.get("deadline_from") and data.get("deadline_to") and data["deadline_from"] > data["deadline_to"]:
            self.add_error("deadline_to", "截止日期不能早于起始日期")
        return data


def todo_filter(user, which: str) -> Q:
    """The rows of one 待办 view for ``user`` (within the queryset's scope, which the caller has applied)."""
    if which == Todo.MINE:
        return Q(owner=user) | Q(region_id=user.region_id) if user.region_id else Q(owner=user)
    level = access.user_level(user)
    if level is None:
        return Q(pk__in=[])
    # The levels whose problems this account's level signs off: the one below, and its own at the county.
    below = [lower for lower in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE) if access.signer_level(lower) == level]
    if which == Todo.SIGN_OFF:
        return Q(status=Status.SUBMITTED, region__level__in=below)
    return Q(escalated_at__isnull=False, region__level__in=[b for b in below if b != level])


def filter_problems(queryset, params, user=None):
    form = ProblemFilterForm(params or None)
    if not form.is_bound or not form.is_valid():
        return queryset, form
    data = form.cleaned_data
    if data["q"]:
        text = data["q"].strip()
        queryset = queryset.filter(Q(description__icontains=text) | Q(responsible_unit__icontains=text)
                                   | Q(household__number=text) | Q(source_reference__icontains=text))
    for name in ("status", "source_kind", "category"):
        if data[name]:
            queryset = queryset.filter(**{name: data[name]})
    if data["region"]:
        queryset = queryset.in_region(region_prefix(data["region"]))
    today = timezone.localdate()
    if data["overdue"] == "1":
        queryset = queryset.overdue(today)
    elif data["overdue"] == "0":
        queryset = queryset.exclude(Q(deadline__lt=today) & ~Q(status=Status.CLOSED))
    if data["owner"]:
        text = data["owner"].strip()
        queryset = queryset.filter(Q(owner__username=text) | Q(owner__full_name=text) | Q(owner_name=text))
    if data["deadline_from"]:
        queryset = queryset.filter(deadline__gte=data["deadline_from"])
    if data["deadline_to"]:
        queryset = queryset.filter(deadline__lte=data["deadline_to"])
    if data["todo"] and user is not None:
        queryset = queryset.filter(todo_filter(user, data["todo"]))
        if data["todo"] != Todo.SIGN_OFF:
            queryset = queryset.open()
    return queryset, form
