"""Small forms of the citizen pages (the e-form itself is built from the procedure's schema)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _


class AgencyForm(forms.Form):
    """Chọn cơ quan tiếp nhận hồ sơ."""

    agency = forms.ChoiceField(
        label=_("Cơ quan tiếp nhận hồ sơ"),
        error_messages={
            "required": _("Hãy chọn cơ quan tiếp nhận hồ sơ."),
            "invalid_choice": _("Hãy chọn cơ quan tiếp nhận thủ tục này."),
        },
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        agencies = list(agencies)
        choices = [(agency.identifier, agency.name) for agency in agencies]
        if len(choices) != 1:
            choices = [("", _("— Chọn cơ quan —")), *choices]
        self.fields["agency"].choices = choices
        self.fields["agency"].widget.attrs["aria-required"] = "true"


class ActionKeyMixin(forms.Form):
    """What every action form carries: the revision the applicant saw and a key against double posts."""

    expected_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    @staticmethod
    def new_key() -> str:
        return str(uuid.uuid4())


class WithdrawForm(ActionKeyMixin):
    reason = forms.CharField(
        label=_("Lý do rút hồ sơ"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "aria-required": "true"}),
        error_messages={"required": _("Hãy nêu lý do rút hồ sơ.")},
    )


class SupplementForm(ActionKeyMixin):
    note = forms.CharField(
        label=_("Ghi chú cho cơ quan (nếu có)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=60,
        help_text=_("Ghi trên giấy tiếp nhận và trong thông báo, ví dụ H17.20.194-261123-0001."),
        error_messages={"required": _("Hãy nhập mã hồ sơ.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "aria-required": "true"}),
    )
    id_last4 = forms.RegexField(
        label=_("4 số cuối số định danh cá nhân hoặc mã số thuế của chủ hồ sơ"),
        regex=r"^\s*[0-9]{4}\s*$",
        max_length=8,
        error_messages={
            "required": _("Hãy nhập 4 chữ số cuối."),
            "invalid": _("Hãy nhập đúng 4 chữ số, ví dụ 1234."),
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "aria-required": "true", "class": "my-short"}
        ),
    )
