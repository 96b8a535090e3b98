"""Kho dữ liệu điện tử in the REST API: the owner's documents, shares and access log, and a share's public view.

Every handler parses its input, calls one wallet service or query, and answers. The owner's endpoints are for
applicants (citizens and organisations) only: anyone else gets the 404 of a page that does not exist, as the
portal's pages answer them. Another owner's document or share is "not found", the same as one that never
existed. The public share view (GET /shares/{code}) shares the public lookup's throttle on failures.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Annotated, Literal

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import File, Form, Header, Query, Router, Schema, Status, UploadedFile
from ninja.decorators import decorate_view
from pydantic import StringConstraints

from motcua.accounts.models import APPLICANT_KINDS, User
from motcua.catalog.api import AgencyRef  # one schema of an agency in the whole document
from motcua.catalog.models import Agency, DocumentType
from motcua.core.api_errors import ApiError, ErrorResponse
from motcua.core.api_params import IdempotencyKey
from motcua.core.http import no_store
from motcua.documents.responses import document_response
from motcua.dossiers import lookup_throttle
from motcua.wallet import queries, services
from motcua.wallet.errors import NotFound, ShareUnavailable, WalletInvalid
from motcua.wallet.models import AccessorKind, AccessRecord, Share, WalletDocument, WalletDocumentKind

router = Router()
shares_router = Router()

FILE_TYPES = {
    kind: {"schema": {"type": "string", "format": "binary"}} for kind in ("application/pdf", "image/png", "image/jpeg")
}


def _owner(request: HttpRequest) -> User:
    """The signed-in applicant; officers and operators have no warehouse here (404, like the portal's pages)."""
    user = request.auth
    if user.kind not in APPLICANT_KINDS:
        raise NotFound(_("Không tìm thấy."))
    return user


# ----- schemas -----------------------------------------------------------------------------------------------


class PageIn(Schema):
    page: int = SchemaField(1, ge=1, le=100000)
    page_size: int = SchemaField(20, ge=1, le=settings.API_MAX_PAGE_SIZE)


class DocumentTypeRef(Schema):
    code: str
    name: str


class FileOut(Schema):
    name: str
    content_type: str
    size: int
    sha256: str
    url: str = SchemaField(description="Tải tệp (cần đăng nhập như chủ sở hữu).")


class WalletDocumentOut(Schema):
    id: uuid.UUID
    kind: Literal["issued", "uploaded"] = SchemaField(
        description="issued: do cơ quan nhà nước cấp (đã ký số); uploaded: do chủ sở hữu tải lên."
    )
    verified: bool = SchemaField(description="Do cơ quan cấp và chưa bị thu hồi.")
    title: str
    document_type: DocumentTypeRef | None
    data: dict
    issuer: AgencyRef | None
    issued_at: dt.datetime | None
    revoked_at: dt.datetime | None
    added_at: dt.datetime
    file: FileOut


class WalletDocumentPage(Schema):
    items: list[WalletDocumentOut]
    count: int
    page: int
    page_size: int
    pages: int


class ShareIn(Schema):
    documents: list[Annotated[str, StringConstraints(max_length=64)]] = SchemaField(
        max_length=100, description="Mã các giấy tờ trong kho dữ liệu của bạn."
    )
    recipient: str = SchemaField(description="Tên bên nhận (tối đa 200 ký tự).")
    purpose: str = SchemaField(description="Mục đích chia sẻ (tối đa 500 ký tự).")
    valid_days: int = SchemaField(description=f"Số ngày chia sẻ có hiệu lực, từ 1 đến {services.MAX_SHARE_DAYS}.")
    max_views: int = SchemaField(description=f"Số lần xem tối đa, từ 1 đến {services.MAX_SHARE_VIEWS}.")


class ShareCreatedOut(Schema):
    id: uuid.UUID
    code: str = SchemaField(description="Mã chia sẻ: chỉ hiện một lần, hệ thống không lưu mã này.")
    url: str = SchemaField(description="Đường dẫn gửi cho bên nhận.")
    expires_at: dt.datetime
    max_views: int


class ShareOut(Schema):
    id: uuid.UUID
    hint: str = SchemaField(description="Bốn ký tự cuối của mã chia sẻ, để nhận ra lượt chia sẻ.")
    recipient: str
    purpose: str
    status: Literal[tuple(queries.ShareStatus.values)]  # type: ignore[valid-type]
    status_label: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    max_views: int
    views: int
    documents: list[uuid.UUID]
    access_count: int = SchemaField(description="Số lượt truy cập dữ liệu qua lượt chia sẻ này.")


class SharePage(Schema):
    items: list[ShareOut]
    count: int
    page: int
    page_size: int
    pages: int


class AccessRecordOut(Schema):
    at: dt.datetime
    accessor_kind: Literal[tuple(AccessorKind.values)]  # type: ignore[valid-type]
    accessor_name: str
    agency: AgencyRef | None
    what: str
    reference: str
    purpose: str


class AccessRecordPage(Schema):
    items: list[AccessRecordOut]
    count: int
    page: int
    page_size: int
    pages: int


class SharedDocumentOut(Schema):
    title: str
    document_type: DocumentTypeRef | None
    verified: bool
    issuer: AgencyRef | None
    issued_at: dt.datetime | None
    revoked: bool
    data: dict
    verification_url: str | None = SchemaField(description="Trang xác thực kết quả, với giấy tờ do cơ quan cấp.")


class SharedOut(Schema):
    owner_name: str
    recipient: str
    purpose: str
    expires_at: dt.datetime
    views_left: int
    documents: list[SharedDocumentOut]


# ----- conversions ---------------------------------------------------------------------------------------------


def _type_ref(document_type: DocumentType | None) -> DocumentTypeRef | None:
    if document_type is None:
        return None
    english = translation.get_language() == "en" and document_type.name_en
    return DocumentTypeRef(code=document_type.code, name=document_type.name_en if english else document_type.name)


def _agency_ref(agency: Agency | None) -> AgencyRef | None:
    return None if agency is None else AgencyRef(identifier=agency.identifier, name=agency.name)


def _document_out(request: HttpRequest, entry: WalletDocument) -> WalletDocumentOut:
    stored = entry.document
    url = request.build_absolute_uri(reverse("api-v1:wallet_document_file", kwargs={"document_id": entry.pk}))
    return WalletDocumentOut(
        id=entry.pk, kind=entry.kind, verified=entry.is_verified, title=entry.title,
        document_type=_type_ref(entry.document_type), data=entry.data, issuer=_agency_ref(entry.issuer),
        issued_at=entry.issued_at, revoked_at=entry.revoked_at, added_at=entry.added_at,
        file=FileOut(
            name=stored.original_name, content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
            url=url,
        ),
    )  # fmt: skip


def _share_out(share: Share, *, restricted: bool, now: dt.datetime) -> ShareOut:
    status = queries.share_status(share, restricted=restricted, now=now)
    return ShareOut(
        id=share.pk, hint=share.hint, recipient=share.recipient, purpose=share.purpose, status=status,
        status_label=str(queries.ShareStatus(status).label), created_at=share.created_at, expires_at=share.expires_at,
        revoked_at=share.revoked_at, max_views=share.max_views, views=share.views,
        documents=[document.pk for document in share.documents.all()], access_count=share.access_count,
    )  # fmt: skip


def _access_out(record: AccessRecord) -> AccessRecordOut:
    return AccessRecordOut(
        at=record.at, accessor_kind=record.accessor_kind, accessor_name=record.accessor_name,
        agency=_agency_ref(record.accessor_agency), what=record.what, reference=record.reference,
        purpose=record.purpose,
    )  # fmt: skip


def _shared_document_out(entry: WalletDocument) -> SharedDocumentOut:
    issued = entry.kind == WalletDocumentKind.ISSUED
    return SharedDocumentOut(
        title=entry.title, document_type=_type_ref(entry.document_type), verified=entry.is_verified,
        issuer=_agency_ref(entry.issuer), issued_at=entry.issued_at, revoked=entry.revoked_at is not None,
        data=entry.data, verification_url=_verification_url(entry.issued_reference) if issued else None,
    )  # fmt: skip


def _page(rows: QuerySet, paging: PageIn) -> tuple[list, dict]:
    """One page of rows and the page fields, as the catalogue's list endpoints count them."""
    count = rows.count()
    start = (paging.page - 1) * paging.page_size
    fields = {
        "count": count, "page": paging.page, "page_size": paging.page_size,
        "pages": max(1, math.ceil(count / paging.page_size)),
    }  # fmt: skip
    return list(rows[start : start + paging.page_size]), fields


def _verification_url(reference: str) -> str:
    """The public page that says whether an issued result is in force (by URL name: the API is a front end)."""
    return settings.MOTCUA_SITE_URL + reverse("signing:verify_result", args=[reference])


# ----- the owner's documents -------------------------------------------------------------------------------


@router.get(
    "/documents",
    response={200: WalletDocumentPage, 404: ErrorResponse},
    summary="Giấy tờ trong kho dữ liệu của tôi",
    operation_id="list_wallet_documents",
)
def list_documents(request: HttpRequest, paging: Query[PageIn]) -> WalletDocumentPage:
    """Giấy tờ do cơ quan nhà nước cấp (đã xác thực) trước, rồi giấy tờ tự tải lên; mới nhất trước."""
    rows, fields = _page(queries.wallet_documents(_owner(request)), paging)
    return WalletDocumentPage(items=[_document_out(request, entry) for entry in rows], **fields)


@router.post(
    "/documents",
    response={201: WalletDocumentOut, 404: ErrorResponse, 422: ErrorResponse},
    summary="Thêm một giấy tờ vào kho dữ liệu",
    operation_id="add_wallet_document",
)
def add_document(
    request: HttpRequest,
    title: Form[str],
    file: File[UploadedFile],
    document_type: Form[str] = "",
):
    """Lưu bản sao một giấy tờ của bạn (chưa xác thực). `document_type`: mã loại giấy tờ, có thể bỏ trống."""
    owner = _owner(request)
    code = document_type.strip()
    found = queries.document_type_by_code(code)
    if code and found is None:
        message = _("Không có loại giấy tờ mã %(code)s.") % {"code": code}
        raise WalletInvalid(_("Giấy tờ chưa hợp lệ; hãy sửa các mục được đánh dấu."), errors={"document_type": message})
    entry = services.add_uploaded_document(owner=owner, upload=file, title=title, document_type=found)
    return Status(201, _document_out(request, entry))


@router.get(
    "/documents/{document_id}",
    response={200: WalletDocumentOut, 404: ErrorResponse},
    summary="Một giấy tờ trong kho dữ liệu",
    operation_id="get_wallet_document",
)
def get_document(request: HttpRequest, document_id: str) -> WalletDocumentOut:
    return _document_out(request, queries.wallet_document(_owner(request), document_id))


@router.get(
    "/documents/{document_id}/file",
    response={200: None, 404: ErrorResponse},
    summary="Tải tệp của một giấy tờ trong kho dữ liệu",
    operation_id="download_wallet_document",
    url_name="wallet_document_file",
    openapi_extra={"responses": {200: {"description": "Tệp giấy tờ (PDF, PNG hoặc JPEG).", "content": FILE_TYPES}}},
)
def download_document(request: HttpRequest, document_id: str) -> HttpResponse:
    return document_response(queries.wallet_document(_owner(request), document_id).document)


# ----- the owner's shares ------------------------------------------------------------------------------------


@router.post(
    "/shares",
    response={201: ShareCreatedOut, 200: ShareCreatedOut, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse},
    summary="Chia sẻ giấy tờ",
    operation_id="create_wallet_share",
)
def create_share(request: HttpRequest, payload: ShareIn, idempotency_key: Header[IdempotencyKey | None] = None):
    """Bên nhận mở đường dẫn (hoặc nhập mã) để xem các giấy tờ, trong thời hạn và số lần xem đã chọn.

    Gửi lại cùng `Idempotency-Key` trong 10 phút (mạng chập chờn) trả lại đúng lượt chia sẻ và mã đó (200)."""
    owner = _owner(request)
    retried = bool(idempotency_key) and queries.share_made_with_key(owner, idempotency_key)
    share, code = services.create_share(
        owner=owner, document_ids=payload.documents, recipient=payload.recipient, purpose=payload.purpose,
        valid_days=payload.valid_days, max_views=payload.max_views, idempotency_key=idempotency_key,
    )  # fmt: skip
    created = ShareCreatedOut(
        id=share.pk, code=code, url=f"{settings.MOTCUA_SITE_URL}/shares/{code}/", expires_at=share.expires_at,
        max_views=share.max_views,
    )  # fmt: skip
    return Status(200 if retried else 201, created)


@router.get(
    "/shares",
    response={200: SharePage, 404: ErrorResponse},
    summary="Các lượt chia sẻ giấy tờ của tôi",
    operation_id="list_wallet_shares",
)
def list_shares(request: HttpRequest, paging: Query[PageIn]) -> SharePage:
    owner = _owner(request)
    rows, fields = _page(queries.shares_of(owner), paging)
    restricted, now = queries.restriction_in_force(owner) is not None, timezone.now()
    return SharePage(items=[_share_out(share, restricted=restricted, now=now) for share in rows], **fields)


@router.post(
    "/shares/{share_id}/revoke",
    response={200: ShareOut, 404: ErrorResponse},
    summary="Thu hồi một lượt chia sẻ",
    operation_id="revoke_wallet_share",
)
def revoke_share(request: HttpRequest, share_id: str) -> ShareOut:
    """Dừng chia sẻ ngay; thu hồi lại lần nữa không thay đổi gì."""
    owner = _owner(request)
    services.revoke_share(owner=owner, share_id=share_id)
    share = queries.share_of(owner, share_id)  # read again, with its documents and access count
    return _share_out(share, restricted=queries.restriction_in_force(owner) is not None, now=timezone.now())


# ----- the owner's access log --------------------------------------------------------------------------------


@router.get(
    "/access-log",
    response={200: AccessRecordPage, 404: ErrorResponse},
    summary="Nhật ký truy cập dữ liệu cá nhân của tôi",
    operation_id="wallet_access_log",
)
def access_log(request: HttpRequest, paging: Query[PageIn]) -> AccessRecordPage:
    """Ai đã xem dữ liệu của bạn, lúc nào, để làm gì; mới nhất trước."""
    rows, fields = _page(queries.access_log(_owner(request)), paging)
    return AccessRecordPage(items=[_access_out(record) for record in rows], **fields)


# ----- the recipient's view of a share ---------------------------------------------------------------------


@shares_router.get(
    "/{code}",
    response={200: SharedOut, 404: ErrorResponse, 429: ErrorResponse},
    summary="Xem giấy tờ được chia sẻ",
    operation_id="open_share",
    auth=None,
)
@decorate_view(no_store)
def open_share(request: HttpRequest, code: str) -> SharedOut:
    """Bên nhận xem giấy tờ được chia sẻ; mỗi lần gọi tính một lượt xem và được ghi vào nhật ký của chủ sở hữu.

    Mã sai, hết hạn, đã thu hồi hay hết lượt xem đều trả cùng một lỗi 404. Không cần đăng nhập.
    """
    ip = lookup_throttle.client_ip(request)
    if minutes := lookup_throttle.minutes_left(ip):
        raise ApiError(429, "too_many_attempts", lookup_throttle.locked_message(minutes))
    try:
        share, documents = services.open_share(code=code, channel=AccessorKind.API)
    except ShareUnavailable:
        if lookup_throttle.record_failure(ip):
            raise ApiError(
                429, "too_many_attempts", lookup_throttle.locked_message(lookup_throttle.minutes_left(ip))
            ) from None
        raise
    return SharedOut(
        owner_name=share.owner.full_name, recipient=share.recipient, purpose=share.purpose,
        expires_at=share.expires_at, views_left=share.max_views - share.views,
        documents=[_shared_document_out(entry) for entry in documents],
    )  # fmt: skip
