"""Forms of the 扶贫项目资产 pages: the list's filters, the asset, income, distribution, maintenance and the
change requests and their approval. Rules stay in ``services``; forms only read input."""

from django import forms

from fupin.projects.models import PlannedSource
from fupin.regions.models import Level, Region

from .choices import AssetKind, AssetStatus, ChangeKind, DisposalMethod, SubKind
from .models import Asset, ChangeRequest, Income, Maintenance

YEARS = {"min_value": 2000, "max_value": 2100}
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
ALL = [("", "全部")]


class AssetFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "资产名称、证书编号或权利人"}))
    kind = forms.ChoiceField(label="资产类别", required=False, choices=ALL + AssetKind.choices)
    sub_kind = forms.ChoiceField(label="资产子类", required=False, choices=ALL + SubKind.choices)
    status = forms.ChoiceField(label="资产状态", required=False, choices=ALL + AssetStatus.choices)
    region = forms.CharField(label="区划代码", required=False, max_length=12)
    year = forms.IntegerField(label="形成年度", required=False, **YEARS)
    fund_source = forms.ChoiceField(label="资金来源", required=False, choices=ALL + PlannedSource.choices)
    pending = forms.BooleanField(label="有待审批申请", required=False)


class AssetForm(forms.ModelForm):
    """The asset's fields; on an edit the rights holders and the status are shown but changed by a request."""

    region = forms.ModelChoiceField(label="所在区划", queryset=Region.objects.none(),
                                    help_text="资产所在的村（县、乡镇级资产选县或乡镇）")

    class Meta:
        model = Asset
        fields = ["name", "kind", "sub_kind", "region", "location", "value", "formed_on", "fund_source", "quantity",
                  "unit", "registered_on", "certificate", "owner", "operator", "beneficiary", "supervisor", "plan",
                  "plan_share", "note"]
        widgets = {"formed_on": DATE, "registered_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (Region.objects.visible_to(user).filter(level__gte=Level.COUNTY)
                                          .order_by("code"))
        self.fields["region"].label_from_instance = lambda r: f"{r.code[:12]} {r.name}"
        if self.instance.pk:
            for name in ("owner", "operator"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "权利人变更请提交“所有权移交/变更”或“经营权变更”申请，由县级审批"


class HandoverForm(AssetForm):
    """移交为资产: the asset a project formed, its fields filled from the project."""

    class Meta(AssetForm.Meta):
        fields = [f for f in AssetForm.Meta.fields if f != "region"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields.pop("region")


class IncomeForm(forms.ModelForm):
    class Meta:
        model = Income
        fields = ["year", "amount", "source", "received_on", "note"]
        widgets = {"received_on": DATE}


class DistributionForm(forms.Form):
    """逐户登记: one line per household, ``户编号 金额 事由`` (事由 may be left to the common one)."""

    year = forms.IntegerField(label="收益年度", **YEARS)
    reason = forms.CharField(label="分配事由", max_length=200, help_text="各户未单独填写事由时使用")
    paid_on = forms.DateField(label="发放日期", required=False, widget=DATE)
    lines = forms.CharField(label="分配明细", widget=forms.Textarea(attrs={"rows": 5}),
                            help_text="每行一户：户编号 金额 [事由]，以空格或逗号分隔")


class PlanForm(forms.Form):
    year = forms.IntegerField(label="收益年度", **YEARS)


class MaintenanceForm(forms.ModelForm):
    class Meta:
        model = Maintenance
        fields = ["date", "responsible", "content", "cost"]
        widgets = {"date": DATE}


class ChangeForm(forms.ModelForm):
    kind = forms.ChoiceField(label="申请事项", choices=ChangeKind.choices)
    new_status = forms.ChoiceField(label="变更后状态", required=False,
                                   choices=[("", "---------")] + [c for c in AssetStatus.choices
                                                                  if c[0] != AssetStatus.DISPOSED])
    method = forms.ChoiceField(label="处置方式", required=False, choices=[("", "---------"), *DisposalMethod.choices])

    class Meta:
        model = ChangeRequest
        fields = ["kind", "new_holder", "new_status", "method", "proceeds", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"new_holder": "所有权移交/变更、经营权变更时填写", "proceeds": "资产处置时填写"}


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "批准"), ("reject", "驳回")],
                                 widget=forms.RadioSelect)
    opinion = forms.CharField(label="审批意见", required=False, max_length=500)
