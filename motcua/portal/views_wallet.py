"""Kho dữ liệu điện tử: pages of the owner's warehouse, and the public page a share's recipient opens.

Owner pages (đăng nhập, chủ sở hữu): the documents, one document, its file, uploads and deletions, shares and the
access log. Public pages (bên nhận chia sẻ): type a code, see that a share awaits, view it (one view counted),
download its files. Thin views: parse, call motcua.wallet.services / queries, render; the use cases decide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.catalog.models import DocumentType
from motcua.documents.responses import document_response
from motcua.dossiers import lookup_throttle
from motcua.dossiers.eform_fields import display_rows
from motcua.portal.access import applicant_required
from motcua.portal.views import page_not_found
from motcua.signing import queries as signing_queries
from motcua.wallet import codes, queries, services
from motcua.wallet.errors import NotFound, WalletInvalid, WalletNotAllowed
from motcua.wallet.models import WalletDocument, WalletDocumentKind

ACCESS_LOG_PAGE_SIZE = 50
DEFAULT_SHARE_DAYS = 7
DEFAULT_SHARE_VIEWS = 3


def _found(call: Callable, *args, **kwargs):
    """The owner's own document or share; anyone else's is the same 404 as one that does not exist."""
    try:
        return call(*args, **kwargs)
    except NotFound:
        raise Http404 from None


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def _type_name(document_type: DocumentType | None) -> str:
    """Tên loại giấy tờ in the reader's language (the English name is data an administrator may fill)."""
    if document_type is None:
        return ""
    if (get_language() or "").startswith("en") and document_type.name_en:
        return document_type.name_en
    return document_type.name


def _named(documents) -> list[WalletDocument]:
    documents = list(documents)
    for document in documents:
        document.type_name = _type_name(document.document_type)
    return documents


# ----- the structured data of a document, readably ----------------------------------------------------------------

# Keys of an issued result's data (signing.services.result_data); any other key is shown as it is written.
DATA_LABELS = {
    "id": gettext_lazy("Mã kết quả điện tử"),
    "dossier_code": gettext_lazy("Mã hồ sơ"),
    "procedure_code": gettext_lazy("Mã thủ tục"),
    "procedure_name": gettext_lazy("Thủ tục"),
    "result_name": gettext_lazy("Tên kết quả"),
    "applicant_name": gettext_lazy("Người nộp hồ sơ"),
    "form_data": gettext_lazy("Thông tin đã khai"),
    "agency_identifier": gettext_lazy("Mã định danh cơ quan"),
    "agency_name": gettext_lazy("Cơ quan cấp"),
    "issued_at": gettext_lazy("Thời điểm cấp"),
    "verification_url": gettext_lazy("Địa chỉ xác thực"),
}


def data_rows(data: Mapping, *, form_schema: Mapping | None = None) -> list[dict[str, Any]]:
    """Every key of `data`, labelled, with nested mappings as nested rows and lists as items (nothing skipped).

    An issued result's `form_data` is shown with the labels of the e-form it was declared on, when known.
    """
    rows = []
    for key, value in data.items():
        if key == "form_data" and form_schema and isinstance(value, Mapping):
            shown = _form_value(form_schema, value)
        else:
            shown = _value(value)
        rows.append({"label": DATA_LABELS.get(key) or _label(key), "value": shown})
    return rows


def _form_value(form_schema: Mapping, form_data: Mapping) -> dict[str, Any]:
    rows = []
    for item in display_rows(form_schema, form_data):  # every field of the form, then any key it no longer has
        if item["kind"] == "table":
            lines = [
                {"kind": "rows", "rows": [{"label": label, "value": _value(cell)} for label, cell in pairs]}
                for pairs in (zip(item["columns"], cells, strict=True) for cells in item["rows"])
            ]
            value = {"kind": "items", "items": lines} if lines else {"kind": "empty"}
        else:
            value = _value(item["value"])
        rows.append({"label": item["label"], "value": value})
    return {"kind": "rows", "rows": rows}


def _label(key: Any) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "—"


def _value(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return {"kind": "rows", "rows": data_rows(value)} if value else {"kind": "empty"}
    if isinstance(value, list | tuple):
        return {"kind": "items", "items": [_value(item) for item in value]} if value else {"kind": "empty"}
    if isinstance(value, bool):
        return {"kind": "text", "text": _("Có") if value else _("Không")}
    if value is None or value == "":
        return {"kind": "empty"}
    if isinstance(value, str):
        if value.startswith(("https://", "http://")):
            return {"kind": "link", "text": value}
        return {"kind": "text", "text": _moment(value) or value}
    return {"kind": "text", "text": str(value)}


def _moment(text: str) -> str | None:
    """An ISO date or date-time written the Vietnamese way (20/11/2026, 09:00 20/11/2026); None if it is not one."""
    try:
        if len(text) == 10 and (day := parse_date(text)):
            return dateformat.format(day, "d/m/Y")
        if "T" in text and (moment := parse_datetime(text)):
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return dateformat.format(moment, "H:i d/m/Y")
    except ValueError:
        return None
    return None


# ----- documents ----------------------------------------------------------------------------------------------------


def _documents_page(
    request: HttpRequest, *, values: dict | None = None, error: WalletInvalid | None = None, status: int = 200
) -> HttpResponse:
    documents = _named(queries.wallet_documents(request.user))
    context = {
        "issued": [d for d in documents if d.kind == WalletDocumentKind.ISSUED],
        "uploaded": [d for d in documents if d.kind == WalletDocumentKind.UPLOADED],
        "document_types": [(t.pk, _type_name(t)) for t in DocumentType.objects.order_by("name")],
        "values": values or {},
        "error": error,
        "errors": error.errors if error else {},
    }
    return render(request, "portal/wallet_documents.html", context, status=status)


@applicant_required
@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    """Kho dữ liệu của tôi: issued (verified) and uploaded (unverified) documents, and the upload form."""
    return _documents_page(request)


@applicant_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Tải giấy tờ lên kho dữ liệu: the owner's own copy, unverified."""
    values = {"title": request.POST.get("title", ""), "document_type": request.POST.get("document_type", "")}
    document_type = None
    try:
        if values["document_type"]:
            document_type = DocumentType.objects.filter(pk=_int(values["document_type"])).first()
            if document_type is None:
                message = _("Hãy chọn loại giấy tờ trong danh sách.")
                raise WalletInvalid(message, errors={"document_type": message})
        entry = services.add_uploaded_document(
            owner=request.user, upload=request.FILES.get("file"), title=values["title"], document_type=document_type
        )
    except WalletInvalid as invalid:
        return _documents_page(request, values=values, error=invalid, status=invalid.status)
    messages.success(request, _("Đã thêm “%(title)s” vào kho dữ liệu.") % {"title": entry.title})
    return redirect("portal:wallet:document", entry.pk)


@applicant_required
@require_GET
def document(request: HttpRequest, pk) -> HttpResponse:
    """Một giấy tờ trong kho: what it is, who issued it, its data, its file."""
    entry = _named([_found(queries.wallet_document, request.user, pk)])[0]
    schema = signing_queries.form_schemas_of([entry]).get(entry.issued_reference)
    context = {"document": entry, "data_rows": data_rows(entry.data, form_schema=schema)}
    return render(request, "portal/wallet_document.html", context)


@applicant_required
@require_GET
def document_file(request: HttpRequest, pk) -> FileResponse:
    return document_response(_found(queries.wallet_document, request.user, pk).document)


@applicant_required
@require_POST
def document_delete(request: HttpRequest, pk) -> HttpResponse:
    """Xóa bản tự tải lên. Issued results stay for their legal retention period (the service refuses)."""
    entry = _found(queries.wallet_document, request.user, pk)
    try:
        _found(services.remove_uploaded_document, owner=request.user, document_id=entry.pk)
    except WalletNotAllowed as refused:
        messages.error(request, refused.message)
        return redirect("portal:wallet:document", entry.pk)
    messages.success(request, _("Đã xóa “%(title)s” khỏi kho dữ liệu.") % {"title": entry.title})
    return redirect("portal:wallet:documents")


# ----- shares -------------------------------------------------------------------------------------------------------


def _shares_page(
    request: HttpRequest, *, values: dict, error: WalletInvalid | WalletNotAllowed | None = None, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    restricted = queries.restriction_in_force(request.user) is not None  # asked once for the whole list
    shares = list(queries.shares_of(request.user))
    for share in shares:
        share.status = queries.share_status(share, restricted=restricted, now=now)
        share.status_label = queries.ShareStatus(share.status).label
    context = {
        "shares": shares,
        "documents": _named(queries.wallet_documents(request.user)),
        "values": values,
        "error": error,
        "errors": error.errors if error else {},
        "max_days": services.MAX_SHARE_DAYS,
        "max_views": services.MAX_SHARE_VIEWS,
    }
    return render(request, "portal/wallet_shares.html", context, status=status)


def share_link(request: HttpRequest, code: str) -> str:
    """The full link the owner sends: the site's public address, or this request's when none is configured."""
    base = (getattr(settings, "MOTCUA_SITE_URL", "") or request.build_absolute_uri("/")).rstrip("/")
    return f"{base}/shares/{code}/"


@applicant_required
@require_http_methods(["GET", "POST"])
def shares(request: HttpRequest) -> HttpResponse:
    """Chia sẻ giấy tờ: the owner's shares (with revoke) and the form to make one; the code is shown once."""
    if request.method == "GET":
        chosen = [request.GET["document"]] if request.GET.get("document") else []
        values = {"documents": chosen, "valid_days": DEFAULT_SHARE_DAYS, "max_views": DEFAULT_SHARE_VIEWS}
        return _shares_page(request, values=values)
    values = {
        "documents": request.POST.getlist("documents"),
        "recipient": request.POST.get("recipient", ""),
        "purpose": request.POST.get("purpose", ""),
        "valid_days": request.POST.get("valid_days", ""),
        "max_views": request.POST.get("max_views", ""),
    }
    try:
        share, code = services.create_share(
            owner=request.user, document_ids=values["documents"], recipient=values["recipient"],
            purpose=values["purpose"], valid_days=_int(values["valid_days"]), max_views=_int(values["max_views"]),
        )  # fmt: skip
    except (WalletInvalid, WalletNotAllowed) as refused:
        return _shares_page(request, values=values, error=refused, status=refused.status)
    # Rendered in the POST's own response (never a redirect to a GET): the code exists nowhere else.
    context = {
        "share": share,
        "code": code,
        "link": share_link(request, code),
        "documents": _named(share.documents.select_related("document_type").order_by("title")),
    }
    response = render(request, "portal/wallet_share_created.html", context)
    add_never_cache_headers(response)
    return response


@applicant_required
@require_POST
def share_revoke(request: HttpRequest, pk) -> HttpResponse:
    """Thu hồi chia sẻ: the code stops opening at once."""
    share = _found(services.revoke_share, owner=request.user, share_id=pk)
    messages.success(request, _("Đã thu hồi lượt chia sẻ cho “%(recipient)s”.") % {"recipient": share.recipient})
    return redirect("portal:wallet:shares")


# ----- the access log -----------------------------------------------------------------------------------------------


@applicant_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Nhật ký truy cập dữ liệu cá nhân: who read the owner's data, when and why (newest first)."""
    page = Paginator(queries.access_log(request.user), ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/wallet_access_log.html", {"page": page})


# ----- the recipient's public pages -----------------------------------------------------------------------------------


def _locked(request: HttpRequest, minutes: int) -> HttpResponse:
    context = {"heading": _("Tạm dừng tra cứu"), "message": lookup_throttle.locked_message(minutes)}
    return render(request, "portal/error.html", context, status=429)


def public_share_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Never cached, not indexed; an unavailable share is the site's 404. The site's same-origin Referrer-Policy
    keeps the code in the URL from other sites.

    Failed codes count against the address like failed dossier lookups (the API's share view shares the count),
    so codes cannot be tried out. The 404 is rendered here, not raised, to carry the same headers as the page.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        ip = lookup_throttle.client_ip(request)
        if minutes := lookup_throttle.minutes_left(ip):
            response = _locked(request, minutes)
        else:
            try:
                response = view(request, *args, **kwargs)
            except NotFound:  # ShareUnavailable: unknown, expired, revoked, used up, restricted
                if lookup_throttle.record_failure(ip):
                    response = _locked(request, lookup_throttle.minutes_left(ip))
                else:
                    response = page_not_found(request)
            except Http404:  # not a failed code (a file gone missing): not counted
                response = page_not_found(request)
        add_never_cache_headers(response)
        # The site's Referrer-Policy (same-origin) already keeps the code in the URL from other sites; a stricter
        # "no-referrer" would make browsers post these forms with `Origin: null`, which the CSRF check refuses.
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _grouped(normalised: str) -> str:
    return "-".join(normalised[i : i + 4] for i in range(0, len(normalised), 4))


@public_share_page
@require_http_methods(["GET", "POST"])
def share_entry(request: HttpRequest) -> HttpResponse:
    """Nhập mã chia sẻ: the recipient types the code they were given."""
    typed = request.POST.get("code", "") if request.method == "POST" else ""
    if request.method == "POST":
        normalised = codes.normalise(typed)
        if normalised is not None:
            return redirect("portal:wallet:share", _grouped(normalised))
        error = _("Mã chia sẻ gồm 12 chữ cái và chữ số, ví dụ ABCD-EFGH-JKMN. Hãy kiểm tra lại mã đã nhập.")
        return render(request, "portal/share_entry.html", {"typed": typed, "error": error}, status=422)
    return render(request, "portal/share_entry.html", {"typed": typed})


@public_share_page
@require_http_methods(["GET", "POST"])
def share(request: HttpRequest, code: str) -> HttpResponse:
    """Giấy tờ được chia sẻ: GET says only that a share awaits; the POST ("Xem giấy tờ") counts one view.

    A GET never counts, so link previews and scanners that follow the link use nothing up.
    """
    if request.method == "GET":
        queries.share_by_code(code)
        return render(request, "portal/share_interstitial.html", {"code": code})
    opened, shared = services.open_share(code=code)
    schemas = signing_queries.form_schemas_of(shared)
    context = {
        "share": opened,
        "owner_name": opened.owner.full_name,  # never str(user): that falls back to the username, an ID number
        "views_left": opened.max_views - opened.views,
        "documents": [
            {"document": d, "data_rows": data_rows(d.data, form_schema=schemas.get(d.issued_reference))}
            for d in _named(shared)
        ],
        "code": code,
        "download_minutes": settings.MOTCUA_SHARE_DOWNLOAD_MINUTES,
    }
    return render(request, "portal/share_documents.html", context)


@public_share_page
@require_GET
def share_document(request: HttpRequest, code: str, pk) -> HttpResponse:
    """One file of a share, for a while after a view (the service decides), logged in the owner's access log."""
    entry = services.record_shared_download(code=code, document_id=pk)
    return document_response(entry.document)
