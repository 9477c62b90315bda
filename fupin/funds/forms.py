"""Forms of the funds pages; the services validate again (scope, amounts), the forms only offer what fits."""

import datetime as dt

from django import forms
from django.utils import timezone

from fupin.projects.models import Project
from fupin.regions.models import Level, Region

from .models import Allocation, Fund, FundParameter

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region):
        return ("　" if region.level == Level.VILLAGE else "") + region.name


class FundForm(forms.ModelForm):
    region = RegionChoiceField(label="所属区划", queryset=Region.objects.none())

    class Meta:
        model = Fund
        fields = ["region", "year", "source", "document_number", "document_date", "title", "amount", "remarks"]
        widgets = {"document_date": DATE, "remarks": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__in=[Level.COUNTY, Level.TOWNSHIP]).order_by("code")
        if not self.instance.pk:
            self.initial.setdefault("year", timezone.localdate().year)
            if user.region_id:
                self.initial.setdefault("region", user.region_id)


class AllocationForm(forms.ModelForm):
    region = RegionChoiceField(label="实施地区", queryset=Region.objects.none(), help_text="项目所在的村或乡镇")
    project = forms.ModelChoiceField(label="项目", queryset=Project.objects.none(), required=False,
                                     help_text="直接补助到户的资金可不选项目")

    class Meta:
        model = Allocation
        fields = ["project", "region", "item", "amount", "allocated_on", "document_number", "remarks"]
        widgets = {"allocated_on": DATE, "remarks": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, fund: Fund, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = fund.region.prefix
        self.fields["region"].queryset = Region.objects.visible_to(user).in_region(prefix).filter(
            level__in=[Level.TOWNSHIP, Level.VILLAGE]).order_by("code")
        self.fields["project"].queryset = Project.objects.visible_to(user).in_region(prefix).filter(
            year__in=[fund.year - 1, fund.year, fund.year + 1]).order_by("region_id", "name")
        self.fields["region"].required = False
        if not self.instance.pk:
            self.initial.setdefault("allocated_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        if not data.get("region") and not data.get("project"):
            self.add_error("region", "请选择实施地区或项目")
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="收回原因", max_length=200)


class DisclosureForm(forms.Form):
    start_date = forms.DateField(label="公示开始", widget=DATE)
    end_date = forms.DateField(label="公示截止", widget=DATE)
    title = forms.CharField(label="标题", max_length=200, required=False, help_text="留空按资金名称生成")
    body = forms.CharField(label="说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    contact = forms.CharField(label="监督电话", max_length=40, required=False,
                              help_text="单位的举报监督电话，不要填个人手机号")

    def __init__(self, *args, days: int, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.initial.setdefault("start_date", today)
        self.initial.setdefault("end_date", today + dt.timedelta(days=days - 1))
        self.fields["end_date"].help_text = f"公示时间不少于{days}天"


class PlanDisclosureForm(DisclosureForm):
    region = RegionChoiceField(label="公示单位", queryset=Region.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)

    field_order = ["region", "year"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__in=[Level.COUNTY, Level.TOWNSHIP]).order_by("code")
        self.initial.setdefault("year", timezone.localdate().year)
        self.fields["title"].help_text = "留空按公示单位和年度生成"


class ParameterForm(forms.ModelForm):
    region = RegionChoiceField(label="适用区划", queryset=Region.objects.none())

    class Meta:
        model = FundParameter
        fields = ["code", "region", "year", "value", "unit", "source"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__in=[Level.PROVINCE, Level.CITY, Level.COUNTY]).order_by("code")
