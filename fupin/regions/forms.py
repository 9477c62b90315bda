from django import forms

from .models import Region


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "is_poor_village", "exit_year", "urban_rural_code", "active"]
        help_texts = {"code": "12位统计用区划代码，上级根据代码自动确定"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
