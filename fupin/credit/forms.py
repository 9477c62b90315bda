"""小额信贷 forms: field shape only; the rules live in credit.services and come back as form errors."""

from django import forms

from fupin.regions.models import Level, Region

from .choices import FundEntryKind, Purpose
from .models import CreditParameter, FundEntry, Loan, Repayment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LoanForm(forms.ModelForm):
    class Meta:
        model = Loan
        fields = ["borrower", "bank", "contract_number", "amount", "term_months", "annual_rate", "start_date",
                  "method", "frequency", "purpose", "purpose_note", "usage", "enterprise_name", "note"]
        widgets = {"start_date": DATE}

    def __init__(self, *args, household, borrowers, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.household = household
        self.fields["borrower"].queryset = borrowers
        self.fields["borrower"].label_from_instance = lambda m: m.name


class HouseholdPickForm(forms.Form):
    number = forms.CharField(label="户编号", max_length=20)


class RepaymentForm(forms.ModelForm):
    class Meta:
        model = Repayment
        fields = ["date", "principal", "interest", "note"]
        widgets = {"date": DATE}


class ExtendForm(forms.Form):
    months = forms.IntegerField(label="展期月数", min_value=1, max_value=36)


class FundEntryForm(forms.ModelForm):
    contract_number = forms.CharField(label="代偿贷款合同编号", required=False, help_text="代偿支出时填写")

    class Meta:
        model = FundEntry
        fields = ["county", "kind", "date", "amount", "contract_number", "trigger", "bank", "document", "note"]
        widgets = {"date": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = Region.objects.visible_to(user).filter(level=Level.COUNTY).order_by("code")
        self.fields["kind"].initial = FundEntryKind.DEPOSIT


class ParameterForm(forms.ModelForm):
    banned = forms.MultipleChoiceField(label="不允许的用途", required=False, choices=Purpose.choices,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = CreditParameter
        fields = ["year", "region", "max_amount", "subsidy_principal_cap", "max_term_months", "min_age", "max_age",
                  "rate_cap_short", "rate_cap_long", "subsidy_share", "subsidy_period_months", "due_soon_days",
                  "document", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__lte=Level.COUNTY).order_by("code")
        self.fields["banned"].initial = self.instance.banned

    def clean(self):
        data = super().clean()
        self.instance.banned_purposes = ",".join(data.get("banned") or [])
        return data
