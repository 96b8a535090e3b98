"""Login, registration and one-time-code forms. They check what they can to show every error at once; the
services check again and have the last word."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.accounts import services, totp
from motcua.accounts.identifiers import parse_citizen_id, validate_tax_code
from motcua.accounts.models import STAFF_LOGIN, User, UserKind

LOGIN_IDENTIFIER = {
    UserKind.CITIZEN: {
        "label": _("Số định danh cá nhân"),
        "help_text": _("12 chữ số, in trên thẻ căn cước."),
        "required": _("Hãy nhập số định danh cá nhân."),
        "inputmode": "numeric",
    },
    UserKind.ORGANISATION: {
        "label": _("Mã số thuế"),
        "help_text": _("10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số với đơn vị phụ thuộc."),
        "required": _("Hãy nhập mã số thuế."),
        "inputmode": "text",
    },
    UserKind.OFFICER: {
        "label": _("Tên đăng nhập"),
        "help_text": "",
        "required": _("Hãy nhập tên đăng nhập."),
        "inputmode": "text",
    },
}
LOGIN_IDENTIFIER[STAFF_LOGIN] = LOGIN_IDENTIFIER[UserKind.OFFICER]  # the admin site's login


class LoginForm(forms.Form):
    identifier = forms.CharField(max_length=150)
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Hãy nhập mật khẩu.")},
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        texts = LOGIN_IDENTIFIER[kind]
        field = self.fields["identifier"]
        field.label = texts["label"]
        field.help_text = texts["help_text"]
        field.error_messages["required"] = texts["required"]
        field.widget.attrs.update(
            {
                "autocomplete": "username",
                "inputmode": texts["inputmode"],
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        )


def citizen_id_field(*, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=20,
        help_text=_("12 chữ số, in trên thẻ căn cước."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": autocomplete, "spellcheck": "false"}),
        error_messages={"required": _("Hãy nhập số định danh cá nhân.")},
    )


def check_confirmation(form: forms.Form, cleaned: dict) -> None:
    """The second typing of a new password must match the first."""
    password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
    if password and confirm and password != confirm:
        form.add_error("password_confirm", ValidationError(_("Hai mật khẩu không khớp."), code="mismatch"))


class RegistrationForm(forms.Form):
    """Common to citizens and organisations: the identifier field comes first, defined by the subclass."""

    kind: str
    identifier_field: str

    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        help_text=_("Để cơ quan liên hệ khi giải quyết hồ sơ, ví dụ 0905 123 456."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": _("Hãy nhập số điện thoại.")},
    )
    email = forms.CharField(
        label=_("Email (không bắt buộc)"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        max_length=4096,
        help_text=_("Ít nhất 10 ký tự; không chỉ gồm chữ số, không quá phổ biến, không giống thông tin cá nhân."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Hãy nhập mật khẩu.")},
    )
    password_confirm = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Hãy nhập lại mật khẩu.")},
    )

    def clean_phone(self) -> str:
        return services.normalise_phone(self.cleaned_data["phone"])

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email:
            try:
                forms.EmailField().clean(email)
            except ValidationError:
                raise ValidationError(_("Địa chỉ email không đúng, ví dụ: ten@example.vn."), code="email") from None
        return email

    def clean(self):
        cleaned = super().clean()
        check_confirmation(self, cleaned)
        password = cleaned.get("password")
        if password:
            identifier = cleaned.get(self.identifier_field) or ""
            candidate = User(
                username=identifier,
                kind=self.kind,
                full_name=cleaned.get("full_name") or "",
                email=cleaned.get("email"),
            )
            try:
                services.validate_new_password(password, candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned

    def clean_identifier(self, value: str) -> str:
        if services.identifier_taken(value):
            raise ValidationError(services.duplicate_identifier_message(self.kind), code="duplicate")
        return value


class CitizenRegistrationForm(RegistrationForm):
    kind = UserKind.CITIZEN
    identifier_field = "citizen_id"

    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Hãy nhập họ và tên.")},
    )
    citizen_id = citizen_id_field(autocomplete="off")

    field_order = ["full_name", "citizen_id", "phone", "email", "password", "password_confirm"]

    def clean_citizen_id(self) -> str:
        number = parse_citizen_id(self.cleaned_data["citizen_id"]).number
        return self.clean_identifier(number)


class OrganisationRegistrationForm(RegistrationForm):
    kind = UserKind.ORGANISATION
    identifier_field = "tax_code"

    full_name = forms.CharField(
        label=_("Tên tổ chức, doanh nghiệp"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": _("Hãy nhập tên tổ chức, doanh nghiệp.")},
    )
    tax_code = forms.CharField(
        label=_("Mã số thuế"),
        max_length=20,
        help_text=_("10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số với đơn vị phụ thuộc."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Hãy nhập mã số thuế.")},
    )

    field_order = ["full_name", "tax_code", "phone", "email", "password", "password_confirm"]

    def clean_tax_code(self) -> str:
        tax_code = self.cleaned_data["tax_code"].strip()
        validate_tax_code(tax_code)
        return self.clean_identifier(tax_code)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=12,
        help_text=_("6 chữ số đang hiện trong ứng dụng xác thực trên điện thoại của bạn."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false", "size": 8}
        ),
        error_messages={"required": _("Hãy nhập mã xác thực.")},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != totp.DIGITS or not code.isdigit():
            raise ValidationError(_("Mã xác thực gồm đúng 6 chữ số."), code="format")
        return code


class AccountClaimForm(forms.Form):
    """Kích hoạt tài khoản: the citizen ID, the code the one-stop desk gave, and a new password."""

    citizen_id = citizen_id_field(autocomplete="username")
    code = forms.CharField(
        label=_("Mã kích hoạt"),
        max_length=20,
        help_text=_("Mã 10 ký tự bộ phận một cửa đưa cho bạn khi nhận hồ sơ, ví dụ ABCDE-23456."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": _("Hãy nhập mã kích hoạt.")},
    )
    password = RegistrationForm.base_fields["password"]
    password_confirm = RegistrationForm.base_fields["password_confirm"]

    def clean_citizen_id(self) -> str:
        return parse_citizen_id(self.cleaned_data["citizen_id"]).number

    def clean(self):
        cleaned = super().clean()
        check_confirmation(self, cleaned)
        return cleaned
