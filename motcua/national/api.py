"""The national instance's API: the provincial instances push signed batches of dossier changes here."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status

from motcua.accounts.throttle import client_ip
from motcua.core.api_errors import ErrorResponse
from motcua.national import services

router = Router(tags=["national"])


class ChangeResult(Schema):
    dossier: str
    seq: int | None
    outcome: str
    expected_seq: int | None = None
    reason: str | None = None


class BatchAnswerOut(Schema):
    batch: str
    results: list[ChangeResult]


@router.post(
    "/sync/batches",
    response={200: BatchAnswerOut, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse,
              413: ErrorResponse},
    openapi_extra={"requestBody": {"required": True, "content": {"application/jose": {"schema": {"type": "string"}}}}},
    summary="Nhận một lô thay đổi trạng thái hồ sơ (JWS ký bởi hệ thống gửi)",
)  # fmt: skip
def receive_batch(request: HttpRequest):
    """The body is a compact JWS (ES256) of type motcua-sync-batch+jws. A change already held answers
    `duplicate`; one that skips ahead answers `gap` with the number expected next."""
    token = request.body.decode("ascii", errors="replace")
    answer = services.receive_batch(token=token, remote_addr=client_ip(request) or None)
    return Status(200, {"batch": answer.batch, "results": answer.results})
