"""Forms of the 贫困村出列 pages; the services validate again (scope, figures), the forms only offer what fits."""

from django import forms
from django.utils import timezone

from fupin.procedures.models import Decision
from fupin.regions.models import Level, Region

from .models import Indicator, VillageParameter, VillageYear

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
VERDICTS = [("", "全部"), ("pass", "达标"), ("fail", "未达标")]


def default_year() -> int:
    """Exit is assessed on a finished year's figures: last year's by default."""
    return timezone.localdate().year - 1


class AssessmentFilterForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    township = forms.ChoiceField(label="乡镇", required=False, choices=[("", "全部")])
    verdict = forms.ChoiceField(label="结论", required=False, choices=VERDICTS)
    poor_only = forms.BooleanField(label="只看贫困村", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        townships = Region.objects.visible_to(user).filter(level=Level.TOWNSHIP).order_by("code")
        self.fields["township"].choices = [("", "全部"), *townships.values_list("code", "name")]

    def values(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"year": data.get("year") or default_year(), "township": data.get("township") or "",
                "verdict": data.get("verdict") or "", "poor_only": bool(data.get("poor_only"))}


class VillageYearForm(forms.ModelForm):
    class Meta:
        model = VillageYear
        fields = ["rural_population", "collective_income", "per_capita_income", "remarks"]


class EvidenceForm(forms.Form):
    file = forms.FileField(label="佐证材料", help_text="照片、验收单、账册等，PDF、图片或 Office 文件，不超过20MB")


class ExitStartForm(forms.Form):
    comment = forms.CharField(label="申请说明", required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="办理结果", choices=[(d, Decision(d).label) for d in
                                                        (Decision.PASS, Decision.RETURN, Decision.REJECT)])
    comment = forms.CharField(label="办理意见", required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ExitNoticeForm(forms.Form):
    start_date = forms.DateField(label="开始日期", widget=DATE)
    end_date = forms.DateField(label="截止日期", widget=DATE)
    title = forms.CharField(label="标题", required=False, max_length=200, help_text="留空自动生成")
    body = forms.CharField(label="正文", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    contact = forms.CharField(label="异议受理电话/地点", required=False, max_length=200)


class ParameterForm(forms.ModelForm):
    class Meta:
        model = VillageParameter
        fields = ["code", "year", "region_prefix", "value", "unit", "source"]


class IndicatorForm(forms.ModelForm):
    region = forms.ModelChoiceField(label="适用区划", queryset=Region.objects.none(), required=False,
                                    empty_label="全国默认清单")

    class Meta:
        model = Indicator
        fields = ["region", "code", "name", "group", "required", "position", "description", "source", "active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__in=[Level.PROVINCE, Level.CITY, Level.COUNTY]).order_by("code")
        if not user.can_administer:
            self.fields["region"].required = True
            self.fields["region"].empty_label = None
