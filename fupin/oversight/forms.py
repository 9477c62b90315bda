"""Forms of the ledger pages; the services validate again (scope, level, statuses), the forms only offer what fits."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from fupin.projects.models import Project
from fupin.regions.models import Level, Region
from fupin.registry.models import Household

from .models import Item, OversightParameter, Problem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region):
        return {Level.TOWNSHIP: "　", Level.VILLAGE: "　　"}.get(region.level, "") + region.name


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.full_name or user.username}（{user.region.name if user.region_id else ''}）"


class ProblemForm(forms.ModelForm):
    region = RegionChoiceField(label="所属区划", queryset=Region.objects.none())
    household = forms.CharField(label="涉及农户（户编号）", required=False, max_length=20)
    project = forms.ModelChoiceField(label="涉及项目", queryset=Project.objects.none(), required=False)
    owner = OwnerChoiceField(label="责任人账号", queryset=get_user_model().objects.none(), required=False,
                             help_text="选择后问题列入其待办")

    class Meta:
        model = Problem
        fields = ["source_kind", "source_reference", "region", "household", "project", "category", "item",
                  "description", "responsible_unit", "owner", "owner_name", "deadline", "measures"]
        widgets = {"deadline": DATE, "description": forms.Textarea(attrs={"rows": 3}),
                   "measures": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__gte=Level.COUNTY).order_by("code")
        self.fields["project"].queryset = Project.objects.visible_to(user).order_by("region_id", "name")
        self.fields["owner"].queryset = get_user_model().objects.visible_to(user).filter(
            is_active=True, role__in=["village", "township", "county"]).select_related("region").order_by(
            "region_id", "username")
        self.fields["deadline"].required = False
        self.fields["deadline"].help_text = "不填按整改参数中该类别的天数计算"
        self.fields["item"].choices = [("", "—")] + Item.choices
        if self.instance.household_id:
            self.initial["household"] = self.instance.household.number
        if not self.instance.pk and user.region_id:
            self.initial.setdefault("region", user.region_id)

    def clean_household(self):
        number = self.cleaned_data["household"].strip()
        if not number:
            return None
        household = Household.objects.visible_to(self.user).filter(number=number).first()
        if household is None:
            raise forms.ValidationError(f"户编号{number}不存在或不在管辖范围内")
        return household


class ProgressForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE)
    text = forms.CharField(label="整改进展", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date", timezone.localdate())


class EvidenceForm(forms.Form):
    file = forms.FileField(label="佐证材料")
    caption = forms.CharField(label="说明", max_length=200, required=False)


class ReviewForm(forms.Form):
    note = forms.CharField(label="意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label="问题清单（Excel 或 CSV）")


class ParameterForm(forms.ModelForm):
    region = RegionChoiceField(label="适用区划", queryset=Region.objects.none(), required=False,
                               help_text="留空为全国默认（仅系统管理员）")

    class Meta:
        model = OversightParameter
        fields = ["code", "year", "region", "value", "unit", "source"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__in=[Level.COUNTY, Level.TOWNSHIP]).order_by("code")
