"""Back-office forms: the worklist filters, one small form per dossier action, and direct registration.

The forms only take input in and say what is missing or malformed; the rules (who may act, in which state,
what a valid dossier is) are the services' and come back as DossierInvalid errors mapped onto these fields.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.identifiers import parse_citizen_id
from motcua.accounts.services import normalise_phone
from motcua.catalog.models import ComponentRequirement
from motcua.documents.content import ALLOWED_LABEL, sniff_content_type
from motcua.dossiers.models import ActionKind, ChannelCode, DossierState

IDEMPOTENCY_KEY = RegexValidator(r"^[A-Za-z0-9._:-]{8,100}$", gettext_lazy("Biểu mẫu không hợp lệ; hãy tải lại trang."))
MAX_MISSING_ITEMS = 50

WORKLIST_LABELS = {
    "mine": gettext_lazy("Của tôi"),
    "queue": gettext_lazy("Chờ nhận/xử lý"),
    "due_soon": gettext_lazy("Sắp đến hạn"),
    "overdue": gettext_lazy("Quá hạn"),
    "all": gettext_lazy("Tất cả"),
}


def new_key() -> str:
    return uuid.uuid4().hex


class WorklistFilterForm(forms.Form):
    """Filters of the worklists (GET). Invalid values are reported and ignored, never an error page."""

    list = forms.ChoiceField(required=False, choices=[*WORKLIST_LABELS.items()], widget=forms.HiddenInput)
    q = forms.CharField(
        label=gettext_lazy("Mã hồ sơ hoặc tên chủ hồ sơ"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "false"}),
    )  # fmt: skip
    state = forms.TypedChoiceField(
        label=gettext_lazy("Trạng thái"), required=False, coerce=int, empty_value=None,
        choices=[("", gettext_lazy("Mọi trạng thái")), *DossierState.choices],
    )  # fmt: skip
    procedure = forms.ChoiceField(label=gettext_lazy("Thủ tục"), required=False)
    channel = forms.TypedChoiceField(
        label=gettext_lazy("Kênh nộp"), required=False, coerce=int, empty_value=None,
        choices=[("", gettext_lazy("Mọi kênh")), *ChannelCode.choices],
    )  # fmt: skip

    def __init__(self, *args, procedures: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("Mọi thủ tục")), *procedures]

    def filters(self) -> dict:
        """The valid filters (call after is_valid(); an invalid one is left out)."""
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in ("list", "q", "state", "procedure", "channel")}


# ----- actions on a dossier -----------------------------------------------------------------------------------


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return f"{user.full_name} ({user.username})" if user.full_name else user.username


class ActionForm(forms.Form):
    """Every action form carries the revision the officer saw and a key that makes a double submit harmless."""

    expected_revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=100, validators=[IDEMPOTENCY_KEY], widget=forms.HiddenInput)

    # Service error keys (DossierInvalid.errors) → the field that shows them.
    error_fields: dict[str, str] = {}

    def __init__(self, *args, dossier, officers=None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("expected_revision", dossier.revision)
        kwargs["initial"].setdefault("idempotency_key", new_key())
        super().__init__(*args, **kwargs)
        self.dossier = dossier

    def action_arguments(self) -> dict:
        """Keyword arguments of services.perform_action beyond the common ones."""
        return {}

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            name = self.error_fields.get(key)
            if name in self.fields and not self.has_error(name):
                self.add_error(name, message)
            elif name not in self.fields:
                self.add_error(None, message)


def _comment_field(*, required: bool, label=None) -> forms.CharField:
    return forms.CharField(
        label=label or (gettext_lazy("Lý do") if required else gettext_lazy("Ý kiến (không bắt buộc)")),
        required=required, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, **({"aria-required": "true"} if required else {})}),
        error_messages={"required": gettext_lazy("Hãy nêu lý do.")},
    )  # fmt: skip


class CommentForm(ActionForm):
    """Approve, return the result, ask for or confirm payment: an optional comment."""

    comment = _comment_field(required=False)
    error_fields = {"comment": "comment"}

    def action_arguments(self) -> dict:
        return {"comment": self.cleaned_data.get("comment", "")}


class ReasonForm(CommentForm):
    """Refuse, stop, return to the previous step: the reason is required."""

    comment = _comment_field(required=True)


class SupplementRequestForm(CommentForm):
    missing = forms.CharField(
        label=gettext_lazy("Giấy tờ còn thiếu hoặc cần hoàn thiện"),
        help_text=gettext_lazy("Mỗi dòng một mục; ghi đủ mọi mục một lần để người dân bổ sung một lần."),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "aria-required": "true"}),
        error_messages={"required": gettext_lazy("Hãy ghi ít nhất một giấy tờ còn thiếu.")},
    )
    requirements = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Thành phần cần nộp lại (không bắt buộc)"),
        help_text=gettext_lazy(
            "Người dân chỉ được mời tải lên các thành phần đã chọn; không chọn thì được tải mọi thành phần."
        ),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = _comment_field(required=False, label=gettext_lazy("Hướng dẫn thêm (không bắt buộc)"))
    field_order = ["missing", "requirements", "comment"]
    error_fields = {"missing": "missing", "requirements": "requirements", "comment": "comment"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirements"].choices = [
            (requirement.pk, requirement.name) for requirement in self.dossier.procedure_version.components.all()
        ]

    def clean_missing(self) -> list[str]:
        items = [line.strip() for line in self.cleaned_data["missing"].splitlines() if line.strip()]
        if not items:
            raise ValidationError(_("Hãy ghi ít nhất một giấy tờ còn thiếu."))
        if len(items) > MAX_MISSING_ITEMS:
            raise ValidationError(_("Tối đa %(count)s mục.") % {"count": MAX_MISSING_ITEMS})
        if any(len(item) > 500 for item in items):
            raise ValidationError(_("Mỗi mục tối đa 500 ký tự."))
        return items

    def action_arguments(self) -> dict:
        return {
            **super().action_arguments(),
            "missing": self.cleaned_data["missing"],
            "requirements": self.cleaned_data.get("requirements") or [],
        }


class HandOffForm(CommentForm):
    assignee = OfficerChoiceField(
        label=gettext_lazy("Cán bộ nhận"), queryset=None, required=False,
        empty_label=gettext_lazy("Chưa giao ai — vào hàng chờ của bước sau"),
    )  # fmt: skip
    field_order = ["assignee", "comment"]
    error_fields = {"assignee": "assignee", "comment": "comment"}

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = officers

    def action_arguments(self) -> dict:
        return {**super().action_arguments(), "assignee": self.cleaned_data.get("assignee")}


class AssignForm(ActionForm):
    assignee = OfficerChoiceField(
        label=gettext_lazy("Giao cho cán bộ"), queryset=None,
        empty_label=gettext_lazy("— Chọn cán bộ —"),
        error_messages={"required": gettext_lazy("Hãy chọn cán bộ.")},
    )  # fmt: skip
    error_fields = {"assignee": "assignee"}

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = officers

    def action_arguments(self) -> dict:
        return {"assignee": self.cleaned_data["assignee"]}


class ExtendForm(ActionForm):
    """Xin lỗi và gia hạn (form 04): the new appointment and the reason for the delay."""

    new_date = forms.DateField(
        label=gettext_lazy("Ngày hẹn trả mới"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date", "aria-required": "true"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Hãy chọn ngày hẹn trả mới."),
            "invalid": gettext_lazy("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 25/11/2026."),
        },
    )
    new_time = forms.TimeField(
        label=gettext_lazy("Giờ hẹn trả"),
        initial=dt.time(17, 0),
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time", "aria-required": "true"}, format="%H:%M"),
        error_messages={
            "required": gettext_lazy("Hãy nhập giờ hẹn trả."),
            "invalid": gettext_lazy("Giờ không hợp lệ, ví dụ 17:00."),
        },
    )
    comment = _comment_field(required=True, label=gettext_lazy("Lý do chậm trễ (gửi kèm lời xin lỗi)"))
    error_fields = {"new_appointment": "new_date", "comment": "comment"}

    def action_arguments(self) -> dict:
        moment = dt.datetime.combine(self.cleaned_data["new_date"], self.cleaned_data["new_time"])
        return {
            "new_appointment": timezone.make_aware(moment, timezone.get_current_timezone()),
            "comment": self.cleaned_data["comment"],
        }


ACTION_FORMS: dict[str, type[ActionForm]] = {
    ActionKind.RECEIVE: ActionForm,
    ActionKind.REQUEST_SUPPLEMENT: SupplementRequestForm,
    ActionKind.REFUSE: ReasonForm,
    ActionKind.ASSIGN: AssignForm,
    ActionKind.HAND_OFF: HandOffForm,
    ActionKind.RETURN_STEP: ReasonForm,
    ActionKind.REQUEST_PAYMENT: CommentForm,
    ActionKind.CONFIRM_PAYMENT: CommentForm,
    ActionKind.APPROVE: CommentForm,
    ActionKind.RETURN_RESULT: CommentForm,
    ActionKind.EXTEND: ExtendForm,
    ActionKind.STOP: ReasonForm,
}


# ----- direct registration at the desk ---------------------------------------------------------------------------


class ProcedureChoiceForm(forms.Form):
    """Step 1 of direct registration (GET): the agency (when the officer receives for several), the procedure."""

    agency = forms.ChoiceField(
        label=gettext_lazy("Cơ quan tiếp nhận"), error_messages={"required": gettext_lazy("Hãy chọn cơ quan.")}
    )
    procedure = forms.ChoiceField(
        label=gettext_lazy("Thủ tục"), error_messages={"required": gettext_lazy("Hãy chọn thủ tục.")}
    )

    def __init__(self, *args, agencies, agency, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("— Chọn cơ quan —"))] + [(a.identifier, a.name) for a in agencies]
        if agency is None:
            del self.fields["procedure"]  # the agency first: its procedures follow
            return
        self.fields["agency"].initial = agency.identifier
        self.fields["agency"].widget = forms.HiddenInput()
        self.fields["procedure"].choices = [("", _("— Chọn thủ tục —"))] + [
            (version.procedure.code, f"{version.procedure.code} — {version.name}") for version in versions
        ]


class ApplicantForm(forms.Form):
    """The walk-in applicant, known by the personal identification number."""

    agency = forms.CharField(widget=forms.HiddenInput)
    procedure = forms.CharField(widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=100, validators=[IDEMPOTENCY_KEY], widget=forms.HiddenInput)
    citizen_id = forms.CharField(
        label=gettext_lazy("Số định danh cá nhân của người nộp"),
        max_length=20,
        help_text=gettext_lazy("12 chữ số trên thẻ căn cước. Nếu người dân chưa có tài khoản, hệ thống tạo tài khoản."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false", "aria-required": "true"}
        ),
        error_messages={"required": gettext_lazy("Hãy nhập số định danh cá nhân.")},
    )
    full_name = forms.CharField(
        label=gettext_lazy("Họ và tên"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Bắt buộc khi người dân chưa có tài khoản."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Số điện thoại (không bắt buộc)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )

    def clean_citizen_id(self) -> str:
        return parse_citizen_id(self.cleaned_data["citizen_id"]).number

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return normalise_phone(phone) if phone else ""


def component_field_name(requirement: ComponentRequirement) -> str:
    return f"component-{requirement.pk}"


class ComponentsForm(forms.Form):
    """One file input per component the procedure requires: the scans of the paper documents."""

    def __init__(self, *args, requirements: list[ComponentRequirement], **kwargs):
        super().__init__(*args, **kwargs)
        self.requirements = requirements
        for requirement in requirements:
            label = requirement.name if requirement.required else _("%(name)s (nếu có)") % {"name": requirement.name}
            self.fields[component_field_name(requirement)] = forms.FileField(
                label=label, required=requirement.required,
                help_text=_("Bản quét PDF, PNG hoặc JPEG, tối đa %(limit)s.")
                % {"limit": filesizeformat(settings.MOTCUA_MAX_UPLOAD_BYTES)},
                widget=forms.ClearableFileInput(attrs={
                    "accept": "application/pdf,image/png,image/jpeg",
                    **({"aria-required": "true"} if requirement.required else {}),
                }),
                error_messages={"required": _("Hãy đính kèm bản quét: %(name)s.") % {"name": requirement.name}},
            )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        for name, upload in list(cleaned.items()):
            if upload:
                try:
                    check_upload(upload)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def files_by_requirement(self) -> dict[int, object]:
        """Requirement id → the uploaded file (only the components given)."""
        return {
            requirement.pk: self.cleaned_data[component_field_name(requirement)]
            for requirement in self.requirements
            if self.cleaned_data.get(component_field_name(requirement))
        }


def check_upload(upload) -> None:
    """The documents service's checks, made before anything is stored so that every problem shows at once."""
    limit = settings.MOTCUA_MAX_UPLOAD_BYTES
    if upload.size == 0:
        raise ValidationError(_("Tệp “%(name)s” rỗng.") % {"name": upload.name})
    if upload.size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” lớn %(size)s, vượt giới hạn %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(max(0, upload.size - 1024))
    tail = upload.read()
    upload.seek(0)
    if sniff_content_type(head, tail) is None:
        raise ValidationError(
            _("Tệp “%(name)s” không phải %(allowed)s hợp lệ.") % {"name": upload.name, "allowed": ALLOWED_LABEL}
        )


# ----- an issued result (kết quả điện tử) ---------------------------------------------------------------------------


class ResultChangeForm(forms.Form):
    """Revoke or reissue a signed result: the reason is required, and shown to the applicant and the public."""

    reason = forms.CharField(
        label=gettext_lazy("Lý do"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "aria-required": "true"}),
        error_messages={"required": gettext_lazy("Hãy nêu lý do.")},
    )
