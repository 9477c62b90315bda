"""List filters of the sector records and the 应享未享 gaps, shared by the pages, their Excel exports and the API."""

from django import forms
from django.db.models import Q

from fupin.core import idnumber
from fupin.regions.models import Level, Region

from .choices import GapStatus, Sector
from .models import CoverageRule

BLANK = [("", "全部")]


def region_choices(user):
    regions = Region.objects.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE])
    if user is not None:
        regions = regions.visible_to(user)
    return BLANK + [(r.code, ("　" if r.level == Level.VILLAGE else "") + r.name)
                    for r in regions.order_by("code")[:2000]]


class RecordFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "姓名、户编号或证件号码"}))
    region = forms.ChoiceField(label="乡镇/村", required=False)
    year = forms.IntegerField(label="年度", required=False, min_value=1990, max_value=2100)

    def __init__(self, *args, kind=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["region"].choices = region_choices(user)
        for extra in kind.filters if kind else ():
            if extra.boolean:
                self.fields[extra.name] = forms.BooleanField(label=extra.label, required=False)
            else:
                self.fields[extra.name] = forms.ChoiceField(label=extra.label, required=False,
                                                            choices=BLANK + list(extra.choices))


def _text_filter(text: str, prefix: str = "") -> Q:
    checked = idnumber.check(text)
    if checked.valid:
        return Q(**{f"{prefix}id_number": checked.normalized})
    return (Q(**{f"{prefix}name__contains": text}) | Q(household__number__contains=text)
            | Q(household__head_name__contains=text))


def _region(queryset, code: str, field: str):
    region = Region.objects.filter(code=code).first()
    return queryset.filter(**{f"{field}__in_region": region.prefix if region else code})


def filter_records(kind, queryset, params, user=None):
    form = RecordFilterForm(params or None, kind=kind, user=user)
    if not form.is_valid():
        return queryset.none() if params and form.errors else queryset, form
    data = form.cleaned_data
    text = (data["q"] or "").strip()
    if text:
        member = kind.subject == "member"
        queryset = queryset.filter(_text_filter(text, "member__") if member else
                                   Q(household__number__contains=text) | Q(household__head_name__contains=text))
    if data["region"]:
        queryset = _region(queryset, data["region"], "village__code")
    if data["year"]:
        queryset = queryset.filter(**{kind.year_lookup: data["year"]})
    for extra in kind.filters:
        if data.get(extra.name):
            queryset = queryset.filter(**{extra.lookup: True if extra.boolean else data[extra.name]})
    return queryset, form


class GapFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "姓名、户编号或证件号码"}))
    year = forms.IntegerField(label="年度", required=False, min_value=1990, max_value=2100)
    rule = forms.ChoiceField(label="规则", required=False)
    sector = forms.ChoiceField(label="行业", required=False, choices=BLANK + list(Sector.choices))
    region = forms.ChoiceField(label="乡镇/村", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=BLANK + list(GapStatus.choices))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = BLANK + list(CoverageRule.objects.values_list("code", "name"))
        self.fields["region"].choices = region_choices(user)


def filter_gaps(queryset, params, user=None):
    form = GapFilterForm(params or None, user=user)
    if not form.is_valid():
        return queryset.none() if params and form.errors else queryset, form
    data = form.cleaned_data
    text = (data["q"] or "").strip()
    if text:
        checked = idnumber.check(text)
        queryset = queryset.filter(Q(id_number=checked.normalized) if checked.valid else
                                   Q(member_name__contains=text) | Q(household_number__contains=text))
    if data["year"]:
        queryset = queryset.filter(year=data["year"])
    if data["rule"]:
        queryset = queryset.filter(rule=data["rule"])
    if data["sector"]:
        queryset = queryset.filter(rule__in=list(CoverageRule.objects.filter(sector=data["sector"])
                                                 .values_list("code", flat=True)))
    if data["region"]:
        queryset = _region(queryset, data["region"], "village_code")
    queryset = queryset.filter(status=data["status"] or GapStatus.OPEN)
    return queryset, form
