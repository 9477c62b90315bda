from django import forms

from fupin.regions.models import Region

from .models import OPERATOR_ROLES, User


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(label="密码", widget=forms.PasswordInput)


class OtpForm(forms.Form):
    code = forms.CharField(
        label="动态口令", max_length=8,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "one-time-code"}),
        help_text="手机验证器（如微信小程序“腾讯身份验证器”、Google Authenticator）上显示的6位数字",
    )


class UserForm(forms.ModelForm):
    region = forms.ModelChoiceField(label="所属区划", queryset=Region.objects.none(), required=False)
    password = forms.CharField(
        label="密码", widget=forms.PasswordInput, required=False, help_text="新建时必填；修改时留空表示不变。至少8位，须含字母和数字，不能是常用单词、年份或键盘连续字符。用户首次登录须修改此密码。"
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "role", "region", "department", "phone", "is_active"]

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only regions inside the administrator's own subtree can be chosen.
        self.fields["region"].queryset = Region.objects.visible_to(acting_user)
        self.fields["region"].label_from_instance = lambda r: f"{r.code} {r.name}"
        if self.instance.pk is None:
            self.fields["password"].required = True
        # 三员分立: the security and audit administrator roles are assigned by the server operator only.
        operator_roles = OPERATOR_ROLES - {self.instance.role if self.instance.pk else None}
        self.fields["role"].choices = [c for c in self.fields["role"].choices if c[0] not in operator_roles]
