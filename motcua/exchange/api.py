"""The exchange's API. Instances post signed packages and statuses here (anonymous: the signature is the
authentication); officers read their agencies' packages and mark the received ones processed or returned."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.security import SessionAuth

from motcua.accounts.throttle import client_ip
from motcua.accounts.tokens import TokenAuth
from motcua.catalog.models import Agency
from motcua.core.api_errors import ApiError, ErrorBody, ErrorResponse
from motcua.documents.content import ALLOWED_LABEL, sniff_content_type
from motcua.exchange import queries, services, wire
from motcua.exchange.errors import ExchangeError, MessageRefusedError
from motcua.exchange.evidence import export_evidence
from motcua.exchange.models import Direction, ExchangePackage, PackageKind, PackageStatus

router = Router(tags=["exchange"])
signed_in = [TokenAuth(), SessionAuth()]
_JOSE_BODY = {"requestBody": {"required": True, "content": {"application/jose": {"schema": {"type": "string"}}}}}


class ExchangeReceiptOut(Schema):
    package: uuid.UUID
    outcome: str
    reason: str = ""
    receipt: str


class ExchangeReplayOut(Schema):
    error: ErrorBody
    receipt: str = ""


class ExchangeStatusOut(Schema):
    package: uuid.UUID
    status: str


def _token(request: HttpRequest, limit: int) -> str:
    # Read from the stream, not request.body: a package is larger than DATA_UPLOAD_MAX_MEMORY_SIZE allows forms.
    return request.read(limit + 1).decode("ascii", errors="replace")


@router.post(
    "/packages",
    response={200: ExchangeReceiptOut, 400: ErrorResponse, 401: ErrorResponse, 409: ExchangeReplayOut,
              413: ErrorResponse},
    openapi_extra=_JOSE_BODY, operation_id="exchange_receive_package",
    summary="Nhận một gói tin liên thông (JWS ký bởi hệ thống gửi), trả biên nhận đã ký",
)  # fmt: skip
def receive_package(request: HttpRequest):
    """The body is a compact JWS (ES256) of type motcua-exchange-package+jws. A package received before is refused
    (409 `replay`) with the receipt issued the first time."""
    try:
        issued = services.receive_package(
            token=_token(request, wire.MAX_TOKEN_BYTES), remote_addr=client_ip(request) or None
        )
    except MessageRefusedError as refused:
        if not refused.receipt:
            raise
        error = {"code": refused.code, "message": refused.message, "details": []}
        return Status(409, {"error": error, "receipt": refused.receipt})
    answer = {"package": issued.package_id, "outcome": issued.outcome, "reason": issued.reason, "receipt": issued.token}
    return Status(200, answer)


@router.post(
    "/statuses",
    response={200: ExchangeStatusOut, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse,
              413: ErrorResponse},
    openapi_extra=_JOSE_BODY, operation_id="exchange_receive_status",
    summary="Nhận thông báo gói tin đã xử lý hoặc bị trả lại (JWS ký bởi hệ thống nhận)",
)  # fmt: skip
def receive_status(request: HttpRequest):
    package = services.receive_status(token=_token(request, 1024 * 1024), remote_addr=client_ip(request) or None)
    return Status(200, {"package": package.package_id, "status": package.status})


# ----- officers -------------------------------------------------------------------------------------------------


class ExchangeDocumentOut(Schema):
    position: int
    name: str
    media_type: str
    size: int
    sha256: str


class ExchangeEventOut(Schema):
    seq: int
    at: dt.datetime
    action: str
    status: str
    actor_instance: str
    note: str


class ExchangePackageOut(Schema):
    package_id: uuid.UUID
    direction: str
    kind: str
    status: str
    status_label: str
    sender_identifier: str
    sender_name: str
    sender_instance: str
    recipient_identifier: str
    recipient_name: str
    recipient_instance: str
    subject: str
    dossier_code: str
    sent_at: dt.datetime
    delivered_at: dt.datetime | None
    received_at: dt.datetime | None
    processed_at: dt.datetime | None
    returned_at: dt.datetime | None
    return_reason: str
    token_sha256: str

    @staticmethod
    def resolve_status_label(obj: ExchangePackage) -> str:
        return str(obj.get_status_display())


class ExchangePackageDetailOut(ExchangePackageOut):
    metadata: dict
    documents: list[ExchangeDocumentOut]
    events: list[ExchangeEventOut]
    receipt: str | None

    @staticmethod
    def resolve_documents(obj: ExchangePackage):
        return list(obj.documents.all())

    @staticmethod
    def resolve_events(obj: ExchangePackage):
        return list(obj.events.all())

    @staticmethod
    def resolve_receipt(obj: ExchangePackage) -> str | None:
        receipt = getattr(obj, "receipt", None)
        return receipt.token if receipt else None


class ExchangeProcessIn(Schema):
    note: str = ""


class ExchangeReturnIn(Schema):
    reason: str


def _not_found() -> ApiError:
    return ApiError(404, "not_found", _("Không tìm thấy gói tin."))


def _visible(request: HttpRequest, package_id: uuid.UUID, direction: str | None = None) -> ExchangePackage:
    try:
        return queries.get_visible_package(request.user, package_id, direction=direction)
    except ExchangePackage.DoesNotExist:
        raise _not_found() from None


def _upload(upload: UploadedFile) -> services.OutgoingDocument:
    """An officer's upload, judged by its bytes like every upload (PDF, PNG or JPEG), within the upload limit."""
    limit = settings.MOTCUA_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ExchangeError(
            _("Tệp “%(name)s” lớn %(size)s, vượt giới hạn %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large", status=413,
        )  # fmt: skip
    content = upload.read()
    media_type = sniff_content_type(content[:16], content[-1024:])
    if media_type is None:
        raise ExchangeError(
            _("Tệp “%(name)s” không phải %(allowed)s hợp lệ.") % {"name": upload.name, "allowed": ALLOWED_LABEL},
            errors={"files": _("Tệp không hợp lệ.")},
        )
    return services.OutgoingDocument(name=upload.name[:255], media_type=media_type, content=content)


@router.post(
    "/outgoing", response={201: ExchangePackageOut, 400: ErrorResponse, 403: ErrorResponse, 413: ErrorResponse,
                           422: ErrorResponse},
    auth=signed_in, operation_id="exchange_send_package", summary="Gửi gói tin liên thông (công văn, hồ sơ liên thông)",
)  # fmt: skip
def send_package(
    request: HttpRequest,
    sender_agency: Form[str],
    recipient_agency: Form[str],
    recipient_instance: Form[str],
    kind: Form[PackageKind],
    subject: Form[str],
    files: File[list[UploadedFile]],
    dossier_code: Form[str] = "",
    recipient_agency_name: Form[str] = "",
    metadata: Form[str] = "{}",
):
    """`sender_agency`: the identifier of one of the officer's agencies; `recipient_instance`: the receiving
    instance's code (this instance's own for one of its agencies); `metadata`: a JSON object (for an inter-agency
    step, e.g. {"step": "..."})."""
    agency = Agency.objects.filter(identifier=sender_agency.strip()).first()
    if agency is None:
        raise ExchangeError(_("Không có cơ quan gửi %(identifier)s.") % {"identifier": sender_agency}, code="not_found",
                            status=404)  # fmt: skip
    try:
        extra = json.loads(metadata or "{}")
    except ValueError:
        extra = None
    if not isinstance(extra, dict):
        raise ExchangeError(_("Thông tin kèm theo phải là một đối tượng JSON."), errors={"metadata": _("Sai JSON.")})
    documents = [_upload(upload) for upload in files]
    package = services.send_package(
        sender_agency=agency, recipient_agency_identifier=recipient_agency,
        recipient_instance=recipient_instance.strip(), kind=kind, subject=subject, documents=documents,
        dossier_code=dossier_code, sent_by=request.user, recipient_agency_name=recipient_agency_name.strip(),
        metadata=extra,
    )  # fmt: skip
    return Status(201, package)


_SAFE_TYPES = {"application/pdf", "image/png", "image/jpeg"}


@router.get(
    "/packages/{package_id}/documents/{position}", auth=signed_in, operation_id="exchange_get_document",
    summary="Tải một tệp của gói tin", response={200: None, 404: ErrorResponse},
)  # fmt: skip
def get_document(request: HttpRequest, package_id: uuid.UUID, position: int, direction: Direction | None = None):
    package = _visible(request, package_id, direction)
    document = package.documents.filter(position=position).first()
    if document is None:
        raise _not_found()
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # The sender's media type is a claim: only the kinds a browser shows safely are served as themselves.
    media_type = document.media_type if document.media_type in _SAFE_TYPES else "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=document.name, content_type=media_type)
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/packages/{package_id}/evidence", auth=signed_in, operation_id="exchange_get_evidence",
    summary="Tải hồ sơ chứng cứ (ZIP) của gói tin", response={200: None, 404: ErrorResponse},
)  # fmt: skip
def get_evidence(request: HttpRequest, package_id: uuid.UUID, direction: Direction | None = None):
    package = _visible(request, package_id, direction)
    response = HttpResponse(
        export_evidence(package_id=package.package_id, direction=package.direction), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="bang-chung-{package.package_id}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/packages",
    response=list[ExchangePackageOut],
    auth=signed_in,
    operation_id="exchange_list_packages",
    summary="Gói tin liên thông của các cơ quan của cán bộ",
)
def list_packages(
    request: HttpRequest, direction: Direction | None = None, status: PackageStatus | None = None, limit: int = 50
):
    limit = max(1, min(limit, 200))
    return list(queries.visible_packages(request.user, direction=direction, status=status)[:limit])


@router.get(
    "/packages/{package_id}", response={200: ExchangePackageDetailOut, 404: ErrorResponse}, auth=signed_in,
    operation_id="exchange_get_package", summary="Chi tiết gói tin liên thông",
)  # fmt: skip
def get_package(request: HttpRequest, package_id: uuid.UUID, direction: Direction | None = None):
    return Status(200, _visible(request, package_id, direction))


@router.post(
    "/packages/{package_id}/processed", response={200: ExchangePackageOut, 404: ErrorResponse, 409: ErrorResponse},
    auth=signed_in, operation_id="exchange_mark_processed", summary="Báo đã xử lý xong gói tin nhận được",
)  # fmt: skip
def mark_processed(request: HttpRequest, package_id: uuid.UUID, body: ExchangeProcessIn):
    return Status(200, services.mark_processed(package_id=package_id, officer=request.user, note=body.note))


@router.post(
    "/packages/{package_id}/return", response={200: ExchangePackageOut, 404: ErrorResponse, 409: ErrorResponse,
                                               422: ErrorResponse},
    auth=signed_in, operation_id="exchange_return_package", summary="Trả lại gói tin nhận được, có lý do",
)  # fmt: skip
def return_package(request: HttpRequest, package_id: uuid.UUID, body: ExchangeReturnIn):
    return Status(200, services.return_package(package_id=package_id, officer=request.user, reason=body.reason))
