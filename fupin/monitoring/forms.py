"""Monitoring forms: field shape only; the rules live in monitoring.services and come back as form errors."""

from django import forms
from django.utils import timezone

from fupin.regions.models import Level, Region
from fupin.registry.services import monitoring_kinds_hint

from . import engine
from .models import (
    MAX_RISKS,
    EliminationMethod,
    IncomeCheck,
    MonitoredKind,
    Parameter,
    RiskEvent,
    RiskType,
    Rule,
    Source,
)


def _regions(user, max_level=Level.COUNTY):
    regions = Region.objects.visible_to(user).filter(level__lte=max_level).order_by("code")
    return regions


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["family", "code", "name", "condition", "severity", "heavier_condition", "severe_condition",
                  "risk_type", "year_from", "year_to", "region", "enabled", "description"]
        widgets = {"condition": forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}),
                   "heavier_condition": forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}),
                   "severe_condition": forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}),
                   "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(user)

    def _valid(self, name: str, optional: bool = False) -> str:
        text = (self.cleaned_data[name] or "").strip()
        if optional and not text:
            return text
        try:
            engine.validate(text)
        except engine.ConditionError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return text

    def clean_condition(self):
        return self._valid("condition")

    def clean_heavier_condition(self):
        return self._valid("heavier_condition", optional=True)

    def clean_severe_condition(self):
        return self._valid("severe_condition", optional=True)


class ParameterForm(forms.ModelForm):
    class Meta:
        model = Parameter
        fields = ["code", "name", "year", "region", "value", "unit", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(user)


class RunForm(forms.Form):
    region = forms.ModelChoiceField(label="范围", queryset=Region.objects.none())
    year = forms.IntegerField(label="收支年度", min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__in=(Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP)).order_by("code")
        self.fields["region"].label_from_instance = lambda r: f"{r.code} {r.name}"
        if user.region_id:
            self.initial.setdefault("region", user.region_id)


class DismissForm(forms.Form):
    reason = forms.CharField(label="核实情况（无风险的理由）", widget=forms.Textarea(attrs={"rows": 3}))


class InclusionForm(forms.Form):
    kind = forms.ChoiceField(label="监测对象类别", choices=MonitoredKind.choices)
    risks = forms.MultipleChoiceField(label="风险类型（最多五项）", choices=RiskType.choices,
                                      widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label="入户核实情况", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        if household is not None:
            self.fields["kind"].help_text = monitoring_kinds_hint(household)

    def clean_risks(self):
        risks = self.cleaned_data["risks"]
        if len(risks) > MAX_RISKS:
            raise forms.ValidationError("风险类型最多选择五项")
        return risks


class LeadForm(forms.Form):
    household_number = forms.CharField(label="户编号")
    source = forms.ChoiceField(label="线索来源", choices=[c for c in Source.choices if c[0] != Source.RULE])
    description = forms.CharField(label="线索内容", widget=forms.Textarea(attrs={"rows": 3}))
    reporter = forms.CharField(label="报告人", required=False)
    contact = forms.CharField(label="联系方式", required=False)


class EventForm(forms.ModelForm):
    class Meta:
        model = RiskEvent
        fields = ["kind", "date", "member_name", "amount", "description", "source"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [c for c in Source.choices if c[0] != Source.RULE]
        if not self.initial.get("date"):
            self.initial["date"] = timezone.localdate()


class IncomeCheckForm(forms.ModelForm):
    class Meta:
        model = IncomeCheck
        fields = ["checked_on", "per_capita_income", "note"]
        widgets = {"checked_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.initial.get("checked_on"):
            self.initial["checked_on"] = timezone.localdate()


class EliminationForm(forms.Form):
    method = forms.ChoiceField(label="风险消除方式", choices=EliminationMethod.choices)
    reason = forms.CharField(label="入户核实情况", widget=forms.Textarea(attrs={"rows": 3}))


class ReflagForm(InclusionForm):
    """风险再标注: the category (the previous one by default) and the risks that returned."""

    reason = forms.CharField(label="再标注原因（重新出现的风险情况）", widget=forms.Textarea(attrs={"rows": 3}))


class RollbackForm(forms.Form):
    reason = forms.CharField(label="回退原因（原风险消除认定有误的情况）", widget=forms.Textarea(attrs={"rows": 3}))


class MonitoredForm(forms.Form):
    risks = forms.MultipleChoiceField(label="风险类型（最多五项）", choices=RiskType.choices,
                                      widget=forms.CheckboxSelectMultiple)
    no_work_capacity = forms.BooleanField(label="整户无劳动能力（兜底保障后继续监测）", required=False)
    note = forms.CharField(label="备注", required=False, max_length=200)


class SelfReportForm(forms.Form):
    household_number = forms.CharField(label="户编号", max_length=20, help_text="见扶贫手册或明白卡")
    id_tail = forms.CharField(label="户主身份证号码后六位", min_length=6, max_length=6)
    phone = forms.CharField(label="联系电话", max_length=11)
    description = forms.CharField(label="遇到的困难", max_length=2000, widget=forms.Textarea(attrs={
        "rows": 4, "placeholder": "如：家人生病住院花费较大、遭受灾害、务工收入中断等"}))

