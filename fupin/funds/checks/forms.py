"""Forms of the anomaly pages: the answer, a custom rule, starting a check."""

from django import forms
from django.utils import timezone

from fupin.regions.models import Level, Region

from ..models import FundRule, Severity
from .answers import ANSWERS


class AnswerForm(forms.Form):
    status = forms.ChoiceField(label="核实结果", widget=forms.RadioSelect,
                               choices=[(s.value, s.label) for s in ANSWERS])
    answer = forms.CharField(label="核实说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="属实的写明处理情况；不属实的写明原因和依据；已整改的写明整改情况")


class RuleForm(forms.ModelForm):
    severity = forms.TypedChoiceField(label="严重程度", choices=Severity.choices, coerce=int)

    class Meta:
        model = FundRule
        fields = ["code", "name", "description", "condition", "severity", "enabled"]
        widgets = {"condition": forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}),
                   "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"code": "小写字母开头，只含小写字母、数字和下划线，保存后不能修改",
                      "condition": "拨付事实表字段上的判断式，如 amount >= 50000 AND payee_in_register = 0；"
                                   "资金参数写作 :idle_days"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]
            if self.instance.builtin:
                for name in ("name", "description", "condition"):
                    del self.fields[name]

    def _post_clean(self):
        pass  # the service validates (code, condition) and saves; the model's own checks would repeat it


class RunForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    region = forms.ChoiceField(label="范围", required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        regions = Region.objects.filter(level__in=[Level.COUNTY, Level.TOWNSHIP])
        if user is not None:
            regions = regions.visible_to(user)
        self.fields["region"].choices = [("", "本级全部")] + [
            (r.code, ("　" if r.level == Level.TOWNSHIP else "") + r.name) for r in regions.order_by("code")[:500]]

