from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone

from fupin.core.excel import SPREADSHEET_SUFFIXES
from fupin.regions.models import Level, Region

from . import rules as rule_book
from .kinds import FIELD_NAME, ID_FIELD, NAME_FIELD
from .models import CustomRule, DatasetKind, KindField, SuspectStatus

MAX_UPLOAD_MB = 200


class UploadForm(forms.Form):
    kind = forms.ModelChoiceField(label="数据类型", queryset=DatasetKind.objects.filter(active=True), empty_label=None)
    file = forms.FileField(label="数据文件", help_text=f"Excel（.xlsx/.xls）或 CSV，最大 {MAX_UPLOAD_MB} MB；证件号码列请设为文本")
    title = forms.CharField(label="名称", max_length=200, required=False, help_text="如“2024年10月死亡人员名单”，不填则用文件名")
    reference_date = forms.DateField(label="数据截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text="名单反映哪一天的情况，不填为今天")
    department = forms.CharField(label="提供部门", max_length=50, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((*SPREADSHEET_SUFFIXES, ".csv", ".txt")):
            raise ValidationError("只能上传 .xlsx、.xls 或 .csv 文件")
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise ValidationError(f"文件超过 {MAX_UPLOAD_MB} MB，请拆分后上传或使用命令行导入")
        return upload

    def clean_reference_date(self):
        value = self.cleaned_data["reference_date"]
        if value and value > timezone.localdate():
            raise ValidationError("数据截止日期不能晚于今天")
        return value


class MappingForm(forms.Form):
    """One select per field of the kind: which column of the file holds it."""

    def __init__(self, *args, fields, header, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "（无此列）")] + [(str(i), h or f"第{i + 1}列") for i, h in enumerate(header)]
        for field in fields:
            self.fields[field.name] = forms.ChoiceField(
                label=field.label, choices=choices, required=field.required,
                initial=str(initial_mapping[field.name]) if field.name in initial_mapping else "",
                help_text=field.get_type_display() if field.type != "text" else "",
            )

    def mapping(self) -> dict:
        return {name: (int(value) if value != "" else -1) for name, value in self.cleaned_data.items()}


class RunForm(forms.Form):
    datasets = forms.ModelMultipleChoiceField(
        label="数据集", queryset=None, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    rules = forms.MultipleChoiceField(
        label="比对规则", required=False, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="不选则运行所选数据集适用的全部规则",
    )
    region = forms.ChoiceField(label="比对范围", required=False)

    def __init__(self, *args, datasets, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["datasets"].queryset = datasets
        self.fields["datasets"].label_from_instance = lambda d: f"{d.title}（{d.kind.name}，{d.rows_stored} 行，{d.created:%Y-%m-%d}）"
        kinds = dict(DatasetKind.objects.values_list("code", "name"))
        self.fields["rules"].choices = [(r.code, f"{r.name}（{kinds.get(r.kind, r.kind)}）") for r in rule_book.all_rules()]
        regions = Region.objects.visible_to(user).filter(level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE])
        self.fields["region"].choices = [("", "本账号管辖范围")] + [
            (r.code, ("　" * (r.level - Level.COUNTY)) + r.name) for r in regions.order_by("code")
        ]


class VerifyForm(forms.Form):
    conclusion = forms.ChoiceField(
        label="核查结论", widget=forms.RadioSelect,
        choices=[(SuspectStatus.CONFIRMED, "属实"), (SuspectStatus.REJECTED, "不属实")],
    )
    action_taken = forms.CharField(label="处理措施", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text="属实的填写：如已启动自然减员、清退、纳入低保等")
    reason = forms.CharField(label="不属实原因", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label="佐证材料", required=False, help_text="不属实的须上传照片或证明（图片或PDF，20 MB以内）")

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload and upload.size > 20 * 1024 * 1024:
            raise ValidationError("佐证材料不能超过 20 MB")
        if upload and not upload.name.lower().endswith((".jpg", ".jpeg", ".png", ".pdf", ".heic", ".webp")):
            raise ValidationError("佐证材料须为图片（jpg/png）或 PDF")
        return upload


class HouseholdsFromRegistrationForm(forms.Form):
    village = forms.ModelChoiceField(Region.objects.none(), label="建档的村", to_field_name="code",
                                     help_text="户籍地址含该村名称的人员按户号建为一般农户")

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages.select_related("parent")
        self.fields["village"].label_from_instance = lambda village: f"{village.code} {village.full_name()}"


class DeleteForm(forms.Form):
    reason = forms.CharField(label="删除原因", max_length=200, required=False)


class KindForm(forms.ModelForm):
    class Meta:
        model = DatasetKind
        fields = ["code", "name", "department", "departments", "description", "full_list", "retention_days", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Codes are an interface (CLI, API, rules): fixed once created.
            self.fields["code"].disabled = True


class KindFieldForm(forms.ModelForm):
    class Meta:
        model = KindField
        fields = ["name", "label", "type", "required", "aliases", "position"]

    def clean_name(self):
        name = self.cleaned_data["name"]
        if not FIELD_NAME.match(name):
            raise ValidationError("字段代码须为小写英文字母、数字和下划线，以字母开头")
        if name in (ID_FIELD, NAME_FIELD) and self.cleaned_data.get("type", "text") != "text":
            raise ValidationError("证件号码和姓名字段只能是文本")
        return name


KindFieldFormSet = inlineformset_factory(DatasetKind, KindField, form=KindFieldForm, extra=3, can_delete=True)


class CustomRuleForm(forms.ModelForm):
    class Meta:
        model = CustomRule
        fields = ["code", "name", "kind", "mode", "condition", "description", "handling", "active"]
        widgets = {"condition": forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}),
                   "description": forms.Textarea(attrs={"rows": 2}), "handling": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = DatasetKind.objects.filter(active=True)
        if self.instance.pk:
            self.fields["code"].disabled = True  # suspects keep the rule's code
