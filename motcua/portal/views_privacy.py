"""Quyền của chủ thể dữ liệu (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, Nghị định 356/2025/NĐ-CP): consent per
purpose, the subject's requests with their deadlines, and the download of all one's data.

Thin views over wallet.services and wallet.queries: every read and write is scoped to the signed-in subject
there, so another person's consent or request answers "not found" (404), like one that does not exist.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.errors import NotFound, ServiceError
from motcua.portal.access import applicant_required
from motcua.wallet import queries, services
from motcua.wallet.models import (
    Consent,
    ConsentPurpose,
    RightsRequest,
    RightsRequestKind,
    RightsRequestRule,
    RightsRequestStatus,
)
from motcua.wallet.personal_data import write_archive

# What a deletion removed and what it kept (the keys of RightsRequest.outcome, written by the parts' receivers).
ARCHIVE_IN_MEMORY = 8 * 1024 * 1024  # bytes of the download kept in memory before it spills to a file

DELETED_LABELS = {
    "wallet_uploaded_documents": gettext_lazy("Giấy tờ bạn tự tải lên kho dữ liệu"),
    "drafts": gettext_lazy("Hồ sơ nháp"),
    "notifications": gettext_lazy("Thông báo"),
    "shares_revoked": gettext_lazy("Lượt chia sẻ giấy tờ đã bị thu hồi"),
    "stored_files": gettext_lazy("Tệp không còn được dùng ở đâu"),
}
KEPT_LABELS = {
    "wallet_issued_documents": gettext_lazy("Kết quả điện tử do cơ quan nhà nước cấp"),
    "dossiers": gettext_lazy("Hồ sơ đã nộp và nhật ký xử lý"),
    "payments": gettext_lazy("Chứng từ thu phí, lệ phí"),
    "access_log": gettext_lazy("Nhật ký truy cập dữ liệu"),
    "consents": gettext_lazy("Bản ghi sự đồng ý"),
    "rights_requests": gettext_lazy("Yêu cầu của chủ thể dữ liệu"),
    "account": gettext_lazy("Thông tin tài khoản"),
}


# ----- consent (sự đồng ý) -----------------------------------------------------------------------------------------


@dataclass
class PurposeRow:
    """One purpose as the subject sees it: its text in their language, and their consent in force or last one."""

    purpose: ConsentPurpose
    name: str
    statement: str
    lang: str  # the language `name` and `statement` are in (the English text may not have been written)
    in_force: Consent | None
    last: Consent | None


def _localised(purpose: ConsentPurpose) -> tuple[str, str, str]:
    if (translation.get_language() or "").startswith("en") and purpose.name_en and purpose.statement_en:
        return purpose.name_en, purpose.statement_en, "en"
    return purpose.name, purpose.statement, "vi"


def _purpose_name(purpose: ConsentPurpose) -> str:
    return _localised(purpose)[0]


@applicant_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Dữ liệu cá nhân của tôi: each purpose with the subject's state, and the history of their consents."""
    consents = list(queries.consents_of(request.user))  # newest first
    for record in consents:
        record.purpose_name, _statement, record.purpose_lang = _localised(record.purpose)
    rows = []
    for purpose in queries.active_purposes():
        mine = [consent for consent in consents if consent.purpose_id == purpose.pk]
        in_force = next((consent for consent in mine if consent.withdrawn_at is None), None)
        rows.append(PurposeRow(purpose, *_localised(purpose), in_force=in_force, last=mine[0] if mine else None))
    context = {
        "rows": rows,
        "consents": consents,
        "restriction": queries.restriction_in_force(request.user),
    }
    return render(request, "portal/privacy_overview.html", context)


@applicant_required
@require_POST
def give_consent(request: HttpRequest) -> HttpResponse:
    """Đồng ý: an explicit act (a button pressed for one purpose), never a box ticked in advance."""
    try:
        consent = services.give_consent(subject=request.user, purpose_code=request.POST.get("purpose", ""))
    except NotFound:
        raise Http404("no such purpose") from None
    messages.success(
        request, _("Đã ghi nhận sự đồng ý của bạn: “%(purpose)s”.") % {"purpose": _purpose_name(consent.purpose)}
    )
    return redirect("portal:privacy:overview")


@applicant_required
@require_POST
def withdraw_consent(request: HttpRequest, consent_id: int) -> HttpResponse:
    """Rút lại sự đồng ý: one button, as easy as giving it; the record stays, marked withdrawn."""
    try:
        consent = services.withdraw_consent(subject=request.user, consent_id=consent_id)
    except NotFound:
        raise Http404("no such consent") from None
    messages.success(request, _("Đã rút lại sự đồng ý: “%(purpose)s”.") % {"purpose": _purpose_name(consent.purpose)})
    return redirect("portal:privacy:overview")


@applicant_required
@require_GET
def consent(request: HttpRequest, consent_id: int) -> HttpResponse:
    """Bản ghi sự đồng ý: one consent as evidence, to print (the browser's own print; the page needs no script)."""
    try:
        record = queries.consent_of(request.user, consent_id)
    except NotFound:
        raise Http404("no such consent") from None
    record.purpose_name, _statement, record.purpose_lang = _localised(record.purpose)
    context = {"consent": record, "subject": request.user, "printed_at": timezone.now()}
    return render(request, "portal/privacy_consent.html", context)


# ----- data-subject requests (yêu cầu của chủ thể dữ liệu) ---------------------------------------------------------


class RightsRequestForm(forms.Form):
    """Gửi yêu cầu: what the subject asks; the service checks the details, the form the deletion's confirmation."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Loại yêu cầu"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Hãy chọn loại yêu cầu.")},
    )
    details = forms.CharField(
        label=gettext_lazy("Nội dung yêu cầu"),
        required=False,
        max_length=services.MAX_DETAILS,
        help_text=gettext_lazy(
            "Với yêu cầu chỉnh sửa hoặc phản đối, hãy nêu rõ dữ liệu nào và bạn muốn gì; với yêu cầu xóa hoặc hạn "
            "chế, có thể để trống."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": gettext_lazy("Nội dung dài quá %(limit_value)s ký tự.")},
    )
    confirm_deletion = forms.BooleanField(
        label=gettext_lazy(
            "Tôi hiểu rằng khi gửi yêu cầu xóa, những dữ liệu nêu trên bị xóa ngay và không khôi phục được."
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("— Chọn loại yêu cầu —")), *RightsRequestKind.choices]

    def clean(self):
        cleaned = super().clean()
        # Deletion cannot be undone: it needs the box ticked, checked here and not only in the browser.
        if cleaned.get("kind") == RightsRequestKind.DELETION and not cleaned.get("confirm_deletion"):
            self.add_error("confirm_deletion", _("Hãy đánh dấu ô xác nhận để gửi yêu cầu xóa dữ liệu."))
        return cleaned


def _outcome_rows(rights_request: RightsRequest) -> tuple[list[tuple[str, int]], list[tuple[str, str]]]:
    """A done deletion's outcome as (what, how many) deleted and (what, why) kept, in the reader's language."""
    outcome = rights_request.outcome or {}
    deleted = [(str(DELETED_LABELS.get(key, key)), count) for key, count in (outcome.get("deleted") or {}).items()]
    # The reasons were stored in the site's language (wallet.personal_data); gettext shows them in the reader's.
    kept = [(str(KEPT_LABELS.get(key, key)), _(why)) for key, why in (outcome.get("kept") or {}).items()]
    return deleted, kept


def _requests_page(request: HttpRequest, form: RightsRequestForm, problem: str = "") -> HttpResponse:
    rights_requests = list(queries.rights_requests_of(request.user))
    for rights_request in rights_requests:
        rights_request.deleted_rows, rights_request.kept_rows = _outcome_rows(rights_request)
    rules = {rule.kind: rule for rule in RightsRequestRule.objects.all()}
    context = {
        "form": form,
        "problem": problem,
        "rights_requests": rights_requests,
        "restriction": queries.restriction_in_force(request.user),
        "rules": rules,
        "kinds": RightsRequestKind,
        "statuses": RightsRequestStatus,
    }
    return render(request, "portal/privacy_requests.html", context)


@applicant_required
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest) -> HttpResponse:
    """Yêu cầu về dữ liệu cá nhân: the subject's requests and their deadlines, and the form to send one."""
    if request.method != "POST":
        return _requests_page(request, RightsRequestForm())
    form = RightsRequestForm(request.POST)
    if not form.is_valid():
        return _requests_page(request, form, _("Yêu cầu chưa hợp lệ; hãy sửa các mục được đánh dấu."))
    data = form.cleaned_data
    try:
        sent = services.submit_rights_request(subject=request.user, kind=data["kind"], details=data["details"])
    except ServiceError as refused:
        for field, message in refused.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _requests_page(request, form, refused.message)
    if sent.kind == RightsRequestKind.DELETION:
        done = _(
            "Đã xóa những dữ liệu luật không buộc phải lưu. Xem bên dưới những gì đã xóa và những gì được giữ lại."
        )
    elif sent.kind == RightsRequestKind.RESTRICTION:
        done = _("Đã hạn chế xử lý dữ liệu của bạn: giấy tờ không còn chia sẻ được cho đến khi bạn bỏ hạn chế.")
    else:
        when = date_format(timezone.localtime(sent.due_at), "H:i d/m/Y")
        done = _("Đã gửi yêu cầu. Hạn trả lời: %(when)s.") % {"when": when}
    messages.success(request, done)
    return redirect("portal:privacy:requests")


@applicant_required
@require_POST
def cancel_request(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        services.cancel_rights_request(subject=request.user, request_id=request_id)
    except NotFound:
        raise Http404("no such request") from None
    except ServiceError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Đã hủy yêu cầu."))
    return redirect("portal:privacy:requests")


@applicant_required
@require_POST
def lift_restriction(request: HttpRequest) -> HttpResponse:
    try:
        services.lift_restriction(subject=request.user)
    except NotFound as absent:  # lifted already (a second click): say so rather than a 404 page
        messages.info(request, absent.message)
    else:
        messages.success(request, _("Đã bỏ hạn chế xử lý dữ liệu. Bạn có thể chia sẻ giấy tờ trở lại."))
    return redirect("portal:privacy:requests")


# ----- the download of all one's data (quyền được cung cấp dữ liệu) -------------------------------------------------


def archive_name(user, *, today) -> str:
    """du-lieu-ca-nhan-<username>-<yyyymmdd>.zip, safe in a header whatever the username holds."""
    username = re.sub(r"[^A-Za-z0-9._-]+", "-", user.get_username()).strip("-.") or "tai-khoan"
    return f"du-lieu-ca-nhan-{username}-{today:%Y%m%d}.zip"


@applicant_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    """GET: what the download holds. POST: the ZIP itself (a POST, so no link preview or prefetch builds it)."""
    if request.method != "POST":
        return render(request, "portal/privacy_export.html")
    # Built in a temporary file that spills to disk past a few megabytes, then streamed: a warehouse of scans
    # never sits in the worker's memory whole.
    archive = tempfile.SpooledTemporaryFile(max_size=ARCHIVE_IN_MEMORY)  # noqa: SIM115  (FileResponse closes it)
    write_archive(subject=request.user, into=archive)
    archive.seek(0)
    name = archive_name(request.user, today=timezone.localdate())
    response = FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")
    response["Cache-Control"] = "no-store"  # identity papers: never kept by a browser or proxy cache
    return response
