"""Forms of the statistics pages; the services check scope and values again."""

from django import forms

from fupin.regions.models import Level, Region

from .indicators import CATALOGUE
from .models import Target


def target_choices():
    return [(code, label) for code, label in CATALOGUE.choices() if not CATALOGUE[code].ratio]


class RegionField(forms.ModelChoiceField):
    def label_from_instance(self, region):
        return "　" * max(region.level - Level.COUNTY, 0) + region.name


class TargetForm(forms.ModelForm):
    region = RegionField(label="区划", queryset=Region.objects.none())
    indicator = forms.ChoiceField(label="指标", choices=())

    class Meta:
        model = Target
        fields = ["region", "year", "indicator", "value", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]).order_by("code")
        self.fields["indicator"].choices = target_choices()
        if user.region_id and not self.instance.pk:
            self.initial.setdefault("region", user.region_id)


class TargetImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件", help_text="按模板填写：区划代码、年度、指标、目标值、说明")


class ReportForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    month = forms.IntegerField(label="月份", min_value=1, max_value=12, required=False, help_text="月报填写")
    region = forms.CharField(label="区划代码", max_length=12, required=False, help_text="留空为本账号所在区划")
