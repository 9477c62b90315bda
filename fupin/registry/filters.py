"""List filters, shared by the list pages, the Excel exports and the API so all three select the same rows."""

from django import forms
from django.db.models import Exists, OuterRef

from fupin.dictionaries.services import choices, choices_of
from fupin.regions.models import Level, Region

from .models import DuplicateIdReport, IncomeAccount
from .services import member_text_query, search_households

MAX_REGION_CHOICES = 1000
# Filter values beside the codes: a blank 户状态 (never on the 建档立卡 register), any or no 监测对象类别.
NONE, ANY = "none", "any"


class RegionChoiceMixin:
    """On pages the region filter is a select of the user's own townships and villages (a text box for a whole
    province, whose villages are too many to list); the API and exports pass codes without a user."""

    def limit_regions(self, user):
        if user is None:
            return
        regions = Region.objects.visible_to(user).filter(level__gte=Level.TOWNSHIP).order_by("code")
        if regions.count() > MAX_REGION_CHOICES:
            return
        indent = {Level.TOWNSHIP: "", Level.VILLAGE: "\u3000"}
        self.fields["region"] = forms.ChoiceField(
            label="区划", required=False,
            choices=[("", "全部")] + [(r.code, f"{indent[r.level]}{r.name}") for r in regions],
        )


class HouseholdFilterForm(RegionChoiceMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "户编号、姓名或证件号码"}))
    region = forms.CharField(label="区划代码", required=False)
    household_type = forms.ChoiceField(label="户类型", required=False)
    status = forms.ChoiceField(label="户状态", required=False)
    monitoring_kind = forms.ChoiceField(label="监测对象类别", required=False)
    category = forms.ChoiceField(label="贫困户属性", required=False)
    cause = forms.ChoiceField(label="致贫原因", required=False)
    year = forms.IntegerField(label="识别年度", required=False, min_value=2000, max_value=2100)
    income_year = forms.IntegerField(label="收入年度", required=False, min_value=2000, max_value=2100)
    income_below = forms.DecimalField(label="人均纯收入低于", required=False, min_value=0)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_regions(user)
        tables = choices_of(("household_type", "household_status", "monitoring_kind", "household_category",
                             "poverty_cause"))
        self.fields["household_type"].choices = tables["household_type"]
        self.fields["status"].choices = [*tables["household_status"], (NONE, "（空）未建档立卡")]
        self.fields["monitoring_kind"].choices = [*tables["monitoring_kind"], (ANY, "全部监测对象"), (NONE, "未纳入监测")]
        self.fields["category"].choices = tables["household_category"]
        self.fields["cause"].choices = tables["poverty_cause"]


def filter_households(queryset, params, user=None) -> tuple:
    """Apply the filter form's values to a (scoped) household queryset; returns (queryset, bound form)."""
    form = HouseholdFilterForm(params or None, user=user)
    if not form.is_valid():
        return queryset, form
    data = form.cleaned_data
    queryset = search_households(queryset, data["q"])
    if data["region"]:
        region = Region.objects.filter(code=data["region"]).first()
        prefix = region.prefix if region else data["region"]
        queryset = queryset.filter(village__code__in_region=prefix)
    if data["household_type"]:
        queryset = queryset.filter(household_type=data["household_type"])
    if data["status"]:
        queryset = queryset.filter(status="" if data["status"] == NONE else data["status"])
    if data["monitoring_kind"] == ANY:
        queryset = queryset.exclude(monitoring_kind="")
    elif data["monitoring_kind"]:
        queryset = queryset.filter(monitoring_kind="" if data["monitoring_kind"] == NONE else data["monitoring_kind"])
    if data["category"]:
        queryset = queryset.filter(category=data["category"])
    if data["cause"]:
        queryset = queryset.filter(main_cause=data["cause"])
    if data["year"]:
        queryset = queryset.filter(identification_year=data["year"])
    if data["income_year"] or data["income_below"] is not None:
        accounts = IncomeAccount.objects.filter(household=OuterRef("pk"))
        if data["income_year"]:
            accounts = accounts.filter(year=data["income_year"])
        if data["income_below"] is not None:
            accounts = accounts.filter(per_capita_net_income__lt=data["income_below"])
        queryset = queryset.filter(Exists(accounts))
    return queryset, form


class MemberFilterForm(RegionChoiceMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名或证件号码"}))
    region = forms.CharField(label="区划代码", required=False)
    sex = forms.ChoiceField(label="性别", required=False)
    health = forms.ChoiceField(label="健康状况", required=False)
    labour_skill = forms.ChoiceField(label="劳动技能", required=False)
    active = forms.ChoiceField(label="在册", required=False, choices=[("1", "在册"), ("0", "已减员"), ("", "全部")])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_regions(user)
        self.fields["sex"].choices = choices("sex")
        self.fields["health"].choices = choices("health")
        self.fields["labour_skill"].choices = choices("labour_skill")


def filter_members(queryset, params, user=None) -> tuple:
    form = MemberFilterForm(params or {"active": "1"}, user=user)
    if not form.is_valid():
        return queryset, form
    data = form.cleaned_data
    text = (data["q"] or "").strip()
    if text:
        queryset = queryset.filter(member_text_query(text))
    if data["region"]:
        region = Region.objects.filter(code=data["region"]).first()
        queryset = queryset.filter(household__village__code__in_region=region.prefix if region else data["region"])
    if data["sex"]:
        queryset = queryset.filter(sex=data["sex"])
    if data["health"]:
        queryset = queryset.filter(health__contains=data["health"])
    if data["labour_skill"]:
        queryset = queryset.filter(labour_skill=data["labour_skill"])
    if data["active"] in ("0", "1"):
        queryset = queryset.filter(active=data["active"] == "1")
    return queryset, form




class DuplicateReportFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[*DuplicateIdReport.Status.choices, ("", "全部")])


def filter_duplicate_reports(queryset, params, user=None) -> tuple:
    """Open reports unless another status (or all) is asked for."""
    form = DuplicateReportFilterForm(params or {"status": DuplicateIdReport.Status.OPEN})
    if form.is_valid() and form.cleaned_data["status"]:
        queryset = queryset.filter(status=form.cleaned_data["status"])
    return queryset, form
