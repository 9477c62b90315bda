"""Forms of the assessment pages: the assessment, a draw, a question, a gate, and the survey built from the
assessment's questionnaire."""

from django import forms
from django.utils import timezone

from fupin.accounts.models import READ_ONLY_ROLES, User
from fupin.regions.models import Level, Region

from .choices import NO, YES, QuestionKind
from .models import Assessment, AssessmentGate, Question


class AssessmentForm(forms.ModelForm):
    region = forms.ModelChoiceField(label="评估区划", queryset=Region.objects.none(), to_field_name="code")
    seed = forms.IntegerField(label="随机种子", required=False, min_value=0, max_value=2**53 - 1,
                              help_text="留空则随机生成；填写同一种子可复现样本")
    enumerators = forms.ModelMultipleChoiceField(label="调查员", required=False, queryset=User.objects.none(),
                                                 widget=forms.SelectMultiple(attrs={"size": 6}))

    class Meta:
        model = Assessment
        fields = ["year", "region", "name", "kind", "poor_villages", "non_poor_villages", "exited_households",
                  "poor_households", "monitored_households", "ordinary_households", "seed"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (Region.objects.visible_to(user)
                                          .filter(level__in=[Level.COUNTY, Level.TOWNSHIP]).order_by("code"))
        self.fields["enumerators"].queryset = (User.objects.visible_to(user).filter(is_active=True)
                                               .exclude(role__in=[*READ_ONLY_ROLES, "department", "security_admin"])
                                               .order_by("region_id", "username"))
        self.fields["enumerators"].label_from_instance = lambda u: f"{u.full_name or u.username}（{u.region.name}）"
        if self.instance.pk:
            self.initial["enumerators"] = list(self.instance.enumerators.all())
        if not self.instance.pk:
            self.initial.setdefault("year", timezone.localdate().year)


class DrawForm(forms.Form):
    seed = forms.IntegerField(label="新的随机种子", required=False, min_value=0, max_value=2**53 - 1,
                              help_text="留空则沿用当前种子")
    reason = forms.CharField(label="重新抽样原因", required=False, max_length=200)


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["code", "text", "kind", "choices", "feeds", "counts_when", "strata", "required", "position"]


class GateForm(forms.ModelForm):
    region = forms.ModelChoiceField(label="适用区划", queryset=Region.objects.none(), to_field_name="code",
                                    required=False, help_text="留空为全国默认（仅系统管理员）")

    class Meta:
        model = AssessmentGate
        fields = ["rate", "year", "region", "value", "source"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(level__lte=Level.COUNTY)


class VoidForm(forms.Form):
    reason = forms.CharField(label="作废原因", max_length=200)


def survey_form(questions, data=None) -> forms.Form:
    """The household's survey: one field per applicable question, named by its code."""
    fields = {
        "surveyed_on": forms.DateField(label="调查日期", initial=timezone.localdate,
                                       widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")),
        "respondent": forms.CharField(label="受访人", required=False, max_length=50),
    }
    for q in questions:
        label = f"{q.code}. {q.text}"
        if q.kind == QuestionKind.YES_NO:
            field = forms.ChoiceField(label=label, choices=[(YES, YES), (NO, NO)], widget=forms.RadioSelect)
        elif q.kind == QuestionKind.CHOICE:
            field = forms.ChoiceField(label=label, choices=[(c, c) for c in q.choice_list], widget=forms.RadioSelect)
        elif q.kind == QuestionKind.NUMBER:
            field = forms.DecimalField(label=label, max_digits=12, decimal_places=2,
                                       widget=forms.NumberInput(attrs={"inputmode": "decimal"}))
        else:
            field = forms.CharField(label=label, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
        field.required = q.required
        fields[q.code] = field
    fields["note"] = forms.CharField(label="备注", required=False, max_length=300)
    return type("SurveyForm", (forms.Form,), fields)(data)
