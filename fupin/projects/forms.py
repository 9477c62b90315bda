"""扶贫项目 forms: field shape only; the rules live in projects.services."""

from django import forms
from django.utils import timezone

from fupin.assistance.forms import MultipleFileField, MultipleFileInput
from fupin.procedures.models import Decision, NoticeKind
from fupin.regions.models import Level, Region

from .models import AcceptanceResult, LibraryStatus, Project, ProjectKind, ProjectStatus

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _blank(choices, label="全部"):
    return [("", label), *choices]


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "项目名称或实施单位"}))
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="项目类别", required=False, choices=_blank(ProjectKind.choices))
    status = forms.ChoiceField(label="项目状态", required=False, choices=_blank(ProjectStatus.choices))
    library = forms.ChoiceField(label="入库状态", required=False, choices=_blank(LibraryStatus.choices))
    region = forms.CharField(label="区划代码", required=False, max_length=12)
    todo = forms.BooleanField(label="待我审批", required=False)


def region_field(user):
    field = forms.ModelChoiceField(
        label="实施地点", queryset=Region.objects.visible_to(user).filter(level__in=(Level.TOWNSHIP, Level.VILLAGE))
        .order_by("code"), help_text="项目所在的村或乡镇")
    field.label_from_instance = lambda r: f"{r.code} {r.full_name()}" if r.level == Level.VILLAGE else f"{r.code} {r.name}"
    return field


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["year", "region", "name", "kind", "planned_amount", "fund_source", "implementing_unit",
                  "planned_start", "planned_end", "scale", "content", "benefit_mechanism", "expected_households",
                  "expected_people", "expected_poor_households", "expected_monitored_households", "library_reason"]
        widgets = {"planned_start": DATE, "planned_end": DATE, "content": forms.Textarea(attrs={"rows": 3}),
                   "benefit_mechanism": forms.Textarea(attrs={"rows": 3})}
        labels = {"library_reason": "入库依据/说明"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = region_field(user)
        self.initial.setdefault("year", timezone.localdate().year)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="办理结果", choices=[(Decision.PASS, "通过"), (Decision.RETURN, "退回上一环节"),
                                                          (Decision.REJECT, "不予通过")])
    comment = forms.CharField(label="办理意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LibraryForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE)
    reason = forms.CharField(label="原因", max_length=300)


class StartForm(forms.Form):
    date = forms.DateField(label="开工日期", widget=DATE)


class MilestoneForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE)
    text = forms.CharField(label="进展情况", max_length=500)
    progress = forms.IntegerField(label="累计进度（%）", required=False, min_value=0, max_value=100)


class PhotoForm(forms.Form):
    file = forms.FileField(label="照片")
    caption = forms.CharField(label="说明", required=False, max_length=200)


class AcceptanceForm(forms.Form):
    date = forms.DateField(label="验收日期", widget=DATE)
    team = forms.CharField(label="验收组成员", max_length=300)
    result = forms.ChoiceField(label="验收结论", choices=AcceptanceResult.choices)
    remarks = forms.CharField(label="验收意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    documents = MultipleFileField(label="验收资料（报告、会议纪要、照片，可多个）", required=False,
                                  widget=MultipleFileInput())


class BeneficiaryForm(forms.Form):
    numbers = forms.CharField(label="户编号", widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="一行或以逗号分隔填写多个户编号")
    note = forms.CharField(label="受益方式", required=False, max_length=200)


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=NoticeKind.choices, widget=forms.HiddenInput)
    start_date = forms.DateField(label="开始日期", widget=DATE)
    end_date = forms.DateField(label="截止日期", widget=DATE)
    title = forms.CharField(label="标题", required=False, max_length=200, help_text="留空按“某村某年度扶贫项目公示”生成")
    contact = forms.CharField(label="异议受理电话/地点", required=False, max_length=200)
    body = forms.CharField(label="正文", required=False, widget=forms.Textarea(attrs={"rows": 3}))

