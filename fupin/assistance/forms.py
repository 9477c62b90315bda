"""Assistance forms: field shape only; the rules live in assistance.services."""

from django import forms
from django.utils import timezone

from fupin.accounts.models import User
from fupin.regions.models import Level, Region

from .models import (
    AssistanceParameter,
    Helper,
    Measure,
    TeamChangeKind,
    TeamMember,
    TeamRole,
    UnitPairing,
    UnitPlan,
    Visit,
    WorkTeam,
)
from .services import current_pairings


class HelperForm(forms.ModelForm):
    class Meta:
        model = Helper
        fields = ["name", "sex", "phone", "political_status", "unit", "unit_level", "position", "region", "user",
                  "active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).order_by("code")
        self.fields["region"].label_from_instance = lambda r: f"{r.code} {r.name}"
        self.fields["user"].queryset = User.objects.visible_to(user).filter(is_active=True).order_by("username")


class PairingForm(forms.Form):
    helper = forms.ModelChoiceField(label="帮扶责任人", queryset=Helper.objects.none())
    start = forms.DateField(label="帮扶开始时间", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, household, user, **kwargs):
        super().__init__(*args, **kwargs)
        covering = [household.village_id[:n] for n in (6, 9, 12)]
        self.fields["helper"].queryset = Helper.objects.visible_to(user).filter(
            active=True, region__code__in=[c.ljust(12, "0") for c in covering]
        ).order_by("name")
        self.initial.setdefault("start", timezone.localdate())


class EndPairingForm(forms.Form):
    end = forms.DateField(label="帮扶结束时间", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label="取消结对原因", max_length=200)


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["kind", "content", "amount", "date", "status", "helper"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        household = self.instance.household
        self.fields["helper"].queryset = Helper.objects.filter(
            pk__in=current_pairings(household).values("helper_id"))
        if not self.initial.get("date"):
            self.initial["date"] = timezone.localdate()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (photos taken one after another on a phone); cleans to a list."""

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class VisitForm(forms.ModelForm):
    photos = MultipleFileField(label="照片", required=False, widget=MultipleFileInput(
        attrs={"accept": "image/*", "capture": "environment"}))

    class Meta:
        model = Visit
        fields = ["helper", "date", "content", "latitude", "longitude"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "content": forms.Textarea(attrs={"rows": 4, "placeholder": "家庭收支、就业、就医、就学、住房饮水情况，落实了什么措施"}),
            "latitude": forms.HiddenInput(), "longitude": forms.HiddenInput(),
        }

    def __init__(self, *args, helpers, with_uuid=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = helpers
        if with_uuid:  # a visit the phone queued: its own number makes a resend find the visit already recorded
            self.fields["client_uuid"] = forms.UUIDField(label="走访编号")
        if helpers.count() == 1 and not self.initial.get("helper"):
            self.initial["helper"] = helpers.first().pk
        if not self.initial.get("date"):
            self.initial["date"] = timezone.localdate()


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkTeamForm(forms.ModelForm):
    class Meta:
        model = WorkTeam
        fields = ["village", "name", "lead_unit", "start", "end", "note"]
        widgets = {"start": DATE_INPUT, "end": DATE_INPUT}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Region.objects.visible_to(user).filter(level=Level.VILLAGE).order_by("code")
        self.fields["village"].label_from_instance = lambda r: f"{r.code} {r.name}"
        if self.instance.pk:
            self.fields["village"].disabled = True


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = ["name", "unit", "role", "phone", "term_start", "term_end"]
        widgets = {"term_start": DATE_INPUT, "term_end": DATE_INPUT}


class MemberChangeForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=TeamChangeKind.choices)
    date = forms.DateField(label="日期", widget=DATE_INPUT)
    role = forms.ChoiceField(label="新职务（职务变更时）", required=False, choices=(("", "—"), *TeamRole.choices))
    reason = forms.CharField(label="原因", max_length=300)


class EndTeamForm(forms.Form):
    end = forms.DateField(label="本期结束", widget=DATE_INPUT)
    reason = forms.CharField(label="说明", max_length=300, required=False, initial="工作队期满轮换")


class UnitPairingForm(forms.ModelForm):
    class Meta:
        model = UnitPairing
        fields = ["unit", "unit_level", "village", "start", "end", "contact", "phone"]
        widgets = {"start": DATE_INPUT, "end": DATE_INPUT}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Region.objects.visible_to(user).filter(level=Level.VILLAGE).order_by("code")
        self.fields["village"].label_from_instance = lambda r: f"{r.code} {r.name}"


class UnitPlanForm(forms.ModelForm):
    files = MultipleFileField(label="附件（PDF、Word、Excel、图片，可多个）", required=False,
                              widget=MultipleFileInput())

    class Meta:
        model = UnitPlan
        fields = ["kind", "year", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}


class ParameterForm(forms.ModelForm):
    class Meta:
        model = AssistanceParameter
        fields = ["code", "year", "region", "value", "source"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__lte=Level.TOWNSHIP).order_by("code")
        self.fields["region"].label_from_instance = lambda r: f"{r.code} {r.name}"
