"""Forms of the procedure pages. The rules live in the services; forms only shape and type the input."""

from django import forms
from django.utils import timezone

from fupin.dictionaries.services import choices
from fupin.regions.models import Region
from fupin.registry.choices import HouseholdCategory, Relation

from .checks import ADD_CHANGES, NATURAL_CHANGES, REMOVE_CHANGES
from .models import (
    ACTOR_LEVELS,
    AttachmentKind,
    CalendarDay,
    CandidateStatus,
    Decision,
    Kind,
    LineKind,
    NoticeKind,
    PovertyLine,
    Status,
    kind_choices,
)

YEARS = {"min_value": 2000, "max_value": 2100}
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def poor_categories() -> list[tuple[str, str]]:
    """The 贫困户属性 a household is identified with (not 一般农户), after the empty choice."""
    return [c for c in choices("household_category") if c[0] in ("", *HouseholdCategory.POOR)]


class ProcedureFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "户编号或户主姓名"}))
    # Every kind the engine runs, monitoring's included (风险再标注 …), by its Chinese label.
    kind = forms.ChoiceField(label="程序", required=False, choices=lambda: [("", "全部"), *kind_choices()])
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *Status.choices])
    region = forms.CharField(label="区划代码", required=False)
    year = forms.IntegerField(label="年度", required=False, **YEARS)
    todo = forms.BooleanField(label="待我办理", required=False)
    overdue = forms.BooleanField(label="已逾期", required=False)


class StartForm(forms.Form):
    """The fields each kind needs; the page shows only the kind's own fields."""

    year = forms.IntegerField(label="年度", help_text="按该年度的收支测算和扶贫标准校验", **YEARS)
    reason = forms.CharField(label="申请理由 / 说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(label="拟识别贫困户属性", required=False)
    main_cause = forms.ChoiceField(label="主要致贫原因", required=False)
    change = forms.ChoiceField(label="变更类型", required=False, choices=[("", "---------"), *NATURAL_CHANGES.items()])
    member_id = forms.TypedChoiceField(label="减员成员", required=False, coerce=int, empty_value=None)
    name = forms.CharField(label="增员成员姓名", required=False, max_length=50)
    id_number = forms.CharField(label="增员成员证件号码", required=False, max_length=30)
    relation = forms.ChoiceField(label="与户主关系", required=False)

    KIND_FIELDS = {
        Kind.IDENTIFICATION: ("year", "category", "main_cause", "reason"),
        Kind.EXIT: ("year", "reason"),
        Kind.RETURN: ("year", "reason"),
        Kind.NATURAL: ("year", "change", "member_id", "name", "id_number", "relation", "reason"),
    }

    def __init__(self, *args, kind: str, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["category"].choices = poor_categories()
        self.fields["main_cause"].choices = choices("poverty_cause")
        self.fields["relation"].choices = [c for c in choices("relation") if c[0] != Relation.HEAD]
        self.fields["member_id"].choices = [("", "---------")] + [
            (m.pk, m.name) for m in household.members.filter(active=True).exclude(relation=Relation.HEAD)
        ]
        self.fields["change"].help_text = (
            f"增员：{'、'.join(ADD_CHANGES.values())}；减员：{'、'.join(REMOVE_CHANGES.values())}"
        )
        for name in list(self.fields):
            if name not in self.KIND_FIELDS[kind]:
                del self.fields[name]

    def details(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("year", "reason") and v not in (None, "")}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="办理结果", widget=forms.RadioSelect,
        choices=[(Decision.PASS, "通过"), (Decision.RETURN, "退回上一环节"), (Decision.REJECT, "不予通过")],
    )
    comment = forms.CharField(label="办理意见", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="退回和不予通过须填写原因")


class AttachmentForm(forms.Form):
    kind = forms.ModelChoiceField(label="附件类别", queryset=AttachmentKind.objects.all(), to_field_name="code")
    file = forms.FileField(label="文件", help_text="PDF、图片、Word、Excel，不超过20MB")


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因", widget=forms.Textarea(attrs={"rows": 2}))


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=NoticeKind.choices)
    title = forms.CharField(label="标题", required=False, max_length=200, help_text="留空自动生成")
    start_date = forms.DateField(label="开始日期", widget=DATE)
    end_date = forms.DateField(label="截止日期", widget=DATE)
    contact = forms.CharField(label="异议受理电话/地点", required=False, max_length=200)
    body = forms.CharField(label="正文", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="留空使用标准公示用语")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["start_date"].initial = today
        self.fields["end_date"].initial = today + timezone.timedelta(days=6)


class NoticeEditForm(NoticeForm):
    """A draft's title, period, contact and body, corrected until it is published (its households stay)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


class ObjectionForm(forms.Form):
    item = forms.ChoiceField(label="异议对象", required=False)
    name = forms.CharField(label="您的姓名", max_length=50)
    contact = forms.CharField(label="联系方式", max_length=100, help_text="电话或住址，仅用于核实答复，不公开")
    content = forms.CharField(label="异议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, notice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "整个公示")] + [
            (i.pk, i.label) for i in notice.items.all()
        ]


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复（核实情况和处理结果）", widget=forms.Textarea(attrs={"rows": 2}))


class RegionCodeForm(forms.ModelForm):
    """A national-or-local setting: the region typed as its code, blank for national."""

    region_code = forms.CharField(label="适用区划代码", required=False, max_length=12,
                                  help_text="留空为全国标准；填省、市或县的12位区划代码为地方标准")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.region_id:
            self.fields["region_code"].initial = self.instance.region_id

    def clean_region_code(self):
        return region_of_code(self.cleaned_data["region_code"])


def region_of_code(code: str):
    code = (code or "").strip()
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise forms.ValidationError(f"区划代码“{code}”不存在")
    return region


class LineForm(RegionCodeForm):
    class Meta:
        model = PovertyLine
        fields = ["kind", "year", "amount", "document", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = LineKind.choices


class CalendarDayForm(RegionCodeForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "document"]
        widgets = {"date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].help_text = "留空为全国安排；填省、市或县的12位区划代码为地方安排"


class CalendarImportForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    file = forms.FileField(label="文件（Excel或CSV）", help_text="列：日期、类别（放假/调休上班）、名称，可选“文件依据”")
    region_code = forms.CharField(label="适用区划代码", required=False, max_length=12,
                                  help_text="留空为全国安排；导入会替换该年度该区划原有的安排")
    document = forms.CharField(label="文件依据", required=False, max_length=200,
                               help_text="文件中没有“文件依据”列时，各行都记为此依据")

    def clean_region_code(self):
        return region_of_code(self.cleaned_data["region_code"])


class DefinitionForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    active = forms.BooleanField(label="启用", required=False)


class StepForm(forms.Form):
    order = forms.IntegerField(label="顺序", min_value=1, max_value=999)
    name = forms.CharField(label="环节名称", max_length=50)
    actor_level = forms.TypedChoiceField(label="办理层级", choices=ACTOR_LEVELS, coerce=int)
    deadline_days = forms.IntegerField(label="时限", min_value=1, max_value=365)
    working_days = forms.BooleanField(label="按工作日计", required=False, initial=True,
                                      help_text="跳过周末和节假日；不勾选按自然日")
    attachment_kinds = forms.ModelMultipleChoiceField(
        label="必传附件", required=False, queryset=AttachmentKind.objects.all(), to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    notice_days = forms.IntegerField(label="公示天数", min_value=0, max_value=90, initial=0,
                                     help_text="0为非公示环节")
    notice_kind = forms.ChoiceField(label="公示类别", choices=NoticeKind.choices, initial=NoticeKind.PUBLICITY)
    description = forms.CharField(label="办理要求", required=False, max_length=200)


StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True)


class AdjustmentOpenForm(forms.Form):
    year = forms.IntegerField(label="年度", **YEARS)


class CandidateFilterForm(forms.Form):
    kind = forms.ChoiceField(label="拟办程序", required=False, choices=[("", "全部"), *Kind.choices])
    status = forms.ChoiceField(label="状态", required=False)
    region = forms.CharField(label="区划代码", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "全部"), *CandidateStatus.choices]


class CandidateDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="确认结果", choices=[("confirm", "确认纳入"), ("reject", "不纳入")])
    reason = forms.CharField(label="意见/原因", required=False, max_length=500)
    category = forms.ChoiceField(label="识别属性（识别候选）", required=False)
    main_cause = forms.ChoiceField(label="主要致贫原因（识别候选）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = poor_categories()
        self.fields["main_cause"].choices = choices("poverty_cause")

    def details(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("category", "main_cause") if self.cleaned_data.get(k)}


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 2}))


class EndPoliciesFilterForm(forms.Form):
    region = forms.CharField(label="区划代码", required=False)
    exit_year = forms.IntegerField(label="脱贫年度", required=False, **YEARS)
