"""Forms of the sector records (one per kind, from its declared fields), the workflow steps and the configuration."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.utils import timezone

from fupin.monitoring.engine import ConditionError
from fupin.registry.models import Member

from . import figures, services
from .access import policies_of
from .choices import OPEN_DROPOUT, DropoutStatus, Policy
from .coverage import validate
from .kinds import MEMBER
from .models import ChronicDisease, CoverageRule, PolicyFigure

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordForm(forms.ModelForm):
    """A record of a kind: from a household's page the member is chosen among its members; elsewhere (a department
    account, which does not browse the register) the record names the member's ID number or the household number."""

    def __init__(self, *args, kind, user, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.user, self.household = kind, user, household
        instance = self.instance
        if instance.pk:
            household = self.household = instance.household
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DATE
        if kind.subject == MEMBER:
            if household is not None:
                self.fields["member"] = forms.ModelChoiceField(
                    label="成员", queryset=Member.objects.filter(household=household, active=True),
                    initial=getattr(instance, "member_id", None), required=kind.model.__name__ != "Enrolment")
            else:
                self.fields["member_id_number"] = forms.CharField(label="成员证件号码", max_length=18)
            self.order_fields(["member", "member_id_number"])
        elif household is None:
            self.fields["household_number"] = forms.CharField(label="户编号", max_length=20)
            self.order_fields(["household_number"])
        if "policy" in self.fields:
            allowed = policies_of(user)
            self.fields["policy"].choices = [c for c in Policy.choices if allowed is None or c[0] in allowed]
        if "disease" in self.fields:
            region = household.village_id if household is not None else (user.region_id or "")
            self.fields["disease"].queryset = ChronicDisease.objects.filter(
                pk__in=[d.pk for d in figures.chronic_diseases(region)])
            self.fields["disease"].help_text = "门诊慢性病证填写，病种取本地目录"

    def clean(self):
        data = super().clean()
        try:
            if "member_id_number" in self.fields and data.get("member_id_number"):
                self.instance.member = services.find_member(self.user, data["member_id_number"])
                self.instance.household = self.instance.member.household
            elif "household_number" in self.fields and data.get("household_number"):
                self.instance.household = services.find_household(self.user, data["household_number"])
            elif self.household is not None:
                self.instance.household = self.household
                if "member" in self.fields:
                    self.instance.member = data.get("member")
        except ValidationError as exc:
            target = "member_id_number" if "member_id_number" in self.fields else "household_number"
            self.add_error(target, exc.messages)
        return data


def record_form(kind):
    return modelform_factory(kind.model, form=RecordForm, fields=list(kind.fields))


class ApproveForm(forms.Form):
    approved = forms.TypedChoiceField(label="审核结论", choices=[("1", "通过"), ("0", "不通过")], coerce=lambda v: v == "1",
                                      widget=forms.RadioSelect)
    on = forms.DateField(label="审核日期", widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label="未通过原因", required=False, max_length=200)


class DateForm(forms.Form):
    on = forms.DateField(label="日期", widget=DATE, initial=timezone.localdate)


class FollowUpForm(forms.Form):
    date = forms.DateField(label="劝返日期", widget=DATE, initial=timezone.localdate)
    content = forms.CharField(label="劝返情况", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label="办理结果", required=False,
                               choices=[("", "继续劝返")] + [c for c in DropoutStatus.choices if c[0] not in OPEN_DROPOUT])
    school = forms.CharField(label="返校学校", required=False, max_length=100)


class SupportForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE, initial=timezone.localdate)
    content = forms.CharField(label="扶持措施", max_length=200)


class TaperForm(forms.Form):
    start = forms.DateField(label="渐退起始日期", widget=DATE, initial=timezone.localdate,
                            help_text="渐退期满日期按当年配置的渐退期月数计算")


class FigureForm(forms.ModelForm):
    class Meta:
        model = PolicyFigure
        fields = ["code", "year", "region", "value", "source"]


class DiseaseForm(forms.ModelForm):
    class Meta:
        model = ChronicDisease
        fields = ["name", "region", "position", "active", "source"]


class RuleForm(forms.ModelForm):
    class Meta:
        model = CoverageRule
        fields = ["code", "name", "sector", "subject", "condition", "description", "active"]
        widgets = {"condition": forms.Textarea(attrs={"rows": 3, "class": "font-monospace"})}

    def clean(self):
        data = super().clean()
        if data.get("condition"):
            try:
                validate(data["condition"], data.get("subject") or "member")
            except ConditionError as exc:
                self.add_error("condition", str(exc))
        return data


class RunForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, initial=lambda: dt.date.today().year)
