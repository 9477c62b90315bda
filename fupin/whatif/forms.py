"""Forms of 政策模拟: the scenario itself and one change (what to change, and to what)."""

from django import forms

from . import changes
from .models import Scenario, ScenarioChange, ScenarioChangeKind


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = ["name", "year", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ChangeForm(forms.ModelForm):
    """The item to change: a line needs no code; a parameter, rule or figure is chosen from the configured ones."""

    target = forms.ChoiceField(label="参数、规则或标准", required=False)

    class Meta:
        model = ScenarioChange
        fields = ["kind", "target", "value", "condition"]
        widgets = {"condition": forms.Textarea(attrs={"rows": 2, "placeholder": "如 per_capita_income < monitoring_line"})}
        help_texts = {
            "value": "扶贫标准、监测范围、监测参数或政策标准的模拟取值",
            "condition": "仅“监测规则条件”填写：模拟的触发条件，字段与参数同监测规则",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = [(ScenarioChangeKind(kind).label, changes.target_choices(kind))
                  for kind in (ScenarioChangeKind.PARAMETER, ScenarioChangeKind.RULE, ScenarioChangeKind.FIGURE)]
        self.fields["target"].choices = [("", "（扶贫标准、监测范围不需选择）")] + groups
        self.fields["target"].help_text = "调整监测参数、监测规则或政策标准时选择具体项目"
