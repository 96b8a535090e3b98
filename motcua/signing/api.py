"""Public verification of signed results in the REST API: /api/v1/results/{id}/verify.

The machine-readable twin of the verification page (/verify/<id>/, where the QR code points): the same
public facts (`queries.public_view`), never the e-form data. No login, and never cached, since a
result may be revoked or replaced at any time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Router, Schema
from ninja.decorators import decorate_view

from motcua.catalog.api import AgencyRef
from motcua.core.api_errors import ApiError, ErrorResponse
from motcua.core.http import no_store
from motcua.signing import queries
from motcua.signing.services import verification_url

router = Router()


class ResultVerification(Schema):
    id: uuid.UUID
    status: Literal["valid", "revoked", "replaced"] = SchemaField(
        description="valid: đang có hiệu lực; revoked: đã bị thu hồi; replaced: đã được thay thế bằng kết quả mới."
    )
    status_label: str
    result_name: str
    procedure_code: str
    procedure_name: str
    dossier_code: str
    applicant_name: str
    agency: AgencyRef = SchemaField(description="Cơ quan đã ký số kết quả.")
    issued_at: dt.datetime
    revoked_at: dt.datetime | None
    revocation_reason: str
    replaced_by: uuid.UUID | None = SchemaField(description="Mã kết quả thay thế, nếu có.")
    document_sha256: str = SchemaField(description="Mã băm SHA-256 của tệp PDF đã ký.")
    verification_url: str = SchemaField(description="Trang xác thực dành cho người đọc (mã QR trỏ tới đây).")


@router.get(
    "/{result_id}/verify",
    response={200: ResultVerification, 404: ErrorResponse},
    summary="Xác thực kết quả điện tử",
    operation_id="verify_result",
    url_name="verify_result",
    auth=None,
)
@decorate_view(no_store)
def verify_result(request: HttpRequest, result_id: str) -> ResultVerification:
    """Tình trạng công khai của một kết quả điện tử đã ký số (mã in trên kết quả, trong mã QR). Không cần đăng nhập."""
    result = queries.get_result(result_id)  # None for a malformed id too: both are simply not ours
    if result is None:
        raise ApiError(
            404,
            "not_found",
            _(
                "Không có kết quả điện tử nào với mã này trong hệ thống. Giấy tờ mang mã này không phải do hệ thống "
                "cấp, hoặc mã đã bị sửa."
            ),
        )
    return ResultVerification(**queries.public_view(result), verification_url=verification_url(result.pk))
