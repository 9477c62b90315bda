"""Registry forms. Coded fields become choice fields fed from the code tables; multi-valued ones are stored
comma-separated. Validation beyond field shape lives in registry.services and comes back as form errors."""

from django import forms

from fupin.dictionaries.services import choices
from fupin.regions.models import Level, Region

from .choices import Relation
from .models import (
    HOUSEHOLD_CODED_FIELDS,
    MEMBER_CODED_FIELDS,
    MULTI_CODED_FIELDS,
    Household,
    IncomeAccount,
    Member,
    SecurityCheck,
)


class CodedFieldsMixin:
    """Turn coded CharFields into selects over their code table, and multi-coded ones into checkboxes."""

    coded_fields: dict[str, str] = {}

    def setup_coded_fields(self):
        for name, kind in self.coded_fields.items():
            if name in self.fields:
                old = self.fields[name]
                self.fields[name] = forms.ChoiceField(
                    label=old.label, required=old.required, choices=choices(kind), help_text=old.help_text
                )
        for name, kind in MULTI_CODED_FIELDS.items():
            if name in self.fields:
                old = self.fields[name]
                self.fields[name] = forms.MultipleChoiceField(
                    label=old.label, required=False, choices=choices(kind, include_blank=False),
                    widget=forms.CheckboxSelectMultiple, help_text=old.help_text,
                )
                value = getattr(self.instance, name, "")
                self.initial[name] = value.split(",") if value else []

    def _post_clean(self):
        for name in MULTI_CODED_FIELDS:
            if name in self.cleaned_data and isinstance(self.cleaned_data[name], list):
                self.cleaned_data[name] = ",".join(self.cleaned_data[name])
        super()._post_clean()


class HouseholdForm(CodedFieldsMixin, forms.ModelForm):
    coded_fields = HOUSEHOLD_CODED_FIELDS

    class Meta:
        model = Household
        fields = [
            "number", "village", "group_name", "address", "phone", "bank_name", "bank_account", "category",
            "status", "identification_standard", "identification_year", "exit_year", "main_cause", "other_causes",
            "enjoys_policy", "cultivated_area", "forest_area", "house_area", "road_type", "fuel_type",
            "distance_to_road_km", "has_production_power", "has_living_power", "has_sanitary_toilet",
            "in_cooperative",
        ]

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = Region.objects.visible_to(acting_user).filter(level=Level.VILLAGE)
        self.fields["village"].queryset = villages
        self.fields["village"].label_from_instance = lambda r: f"{r.code} {r.name}"
        if villages.count() == 1:
            self.fields["village"].initial = villages.first()
        self.setup_coded_fields()
        if self.instance.pk:
            self.fields["number"].disabled = True
        # Blank: a 一般农户 never on the 建档立卡 register (its 户类型 follows, registry.services.clean_household).
        self.fields["status"].choices = [("", "（空）一般农户，未建档立卡"), *choices("household_status", include_blank=False)]


class MemberForm(CodedFieldsMixin, forms.ModelForm):
    coded_fields = {k: v for k, v in MEMBER_CODED_FIELDS.items() if k != "sex"}

    class Meta:
        model = Member
        fields = [
            "name", "id_number", "relation", "ethnicity", "political_status", "education", "schooling", "health",
            "disability_cert", "labour_skill", "work_location", "work_months", "basic_medical_insurance",
            "serious_illness_insurance", "pension_insurance", "on_dibao", "on_tekun",
        ]
        help_texts = {"id_number": "18位身份证号码（15位旧号码自动升级）；性别和出生日期由号码自动得出"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_coded_fields()
        self.fields["relation"].required = True
        if self.instance.pk:
            # The form never shows the full number; leaving it blank keeps the stored one.
            self.initial["id_number"] = ""
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = f"当前：{self.instance.id_number[:6]}********{self.instance.id_number[-4:]}，留空表示不变"

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        return value or (self.instance.id_number if self.instance.pk else value)


class HeadMemberForm(MemberForm):
    """The head entered together with a new household."""

    prefix = "head"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["relation"]

    def save(self, commit=False):
        member = super().save(commit=False)
        member.relation = Relation.HEAD
        return member


class IncomeAccountForm(forms.ModelForm):
    class Meta:
        model = IncomeAccount
        fields = [
            "year", "wage_income", "business_income", "property_income", "transfer_income", "business_costs",
            "medical_out_of_pocket", "medical_in_policy_cost", "household_size",
        ]
        help_texts = {"household_size": "共享收支的家庭人口数；留空则取当前在册人口"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household_size"].required = False
        # Only the medical self-pay share rule reads it; a village without the hospital's figure leaves it empty.
        self.fields["medical_in_policy_cost"].required = False
        if self.instance.pk:
            self.fields["year"].disabled = True

    def clean_medical_in_policy_cost(self):
        return self.cleaned_data["medical_in_policy_cost"] or 0


class SecurityCheckForm(forms.ModelForm):
    class Meta:
        model = SecurityCheck
        fields = [
            "year", "food_secure", "clothing_secure", "education_secure", "medical_secure", "housing_secure",
            "water_secure", "house_grade", "checked_on", "checked_by", "note",
        ]
        widgets = {"checked_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["house_grade"] = forms.ChoiceField(label="危房等级", required=False, choices=choices("house_grade"))
        if self.instance.pk:
            self.fields["year"].disabled = True


class RemoveMemberForm(forms.Form):
    reason = forms.ChoiceField(
        label="减员原因",
        choices=[("死亡", "死亡"), ("婚出", "婚出"), ("户口迁出", "户口迁出"), ("分户", "分户"), ("服刑", "服刑"),
                 ("错误录入", "错误录入"), ("其他", "其他")],
    )
