"""The one error format of the API.

Every error answer is `{"error": {"code": ..., "message": ..., "details": [...]}}`, the message in
the request's language (Vietnamese unless the client asks for English).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError


class ErrorDetail(Schema):
    field: str
    message: str


class ErrorBody(Schema):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(Schema):
    error: ErrorBody


class ApiError(Exception):
    """Raise from an API handler to answer with the standard error format."""

    def __init__(self, status: int, code: str, message: str, details: list[dict[str, str]] | None = None):
        self.status, self.code, self.message, self.details = status, code, message, details or []
        super().__init__(message)


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return api.create_response(request, body, status=status)


def _field_path(location: list[Any]) -> str:
    # ninja prefixes locations with where the value came from ("query", "path", "body").
    parts = [str(part) for part in location]
    if parts and parts[0] in ("query", "path", "body", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(parts)


def install_error_handlers(api: NinjaAPI) -> None:
    """Route every error an API handler can raise through the one format."""

    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, status=exc.status, code=exc.code, message=exc.message, details=exc.details)

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = [
            {"field": _field_path(error.get("loc", [])), "message": error.get("msg", "")} for error in exc.errors
        ]
        return error_response(
            api, request, status=422, code="invalid", message=_("Dữ liệu gửi lên không hợp lệ."), details=details
        )

    @api.exception_handler(DjangoValidationError)
    def _django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            details = [{"field": field, "message": " ".join(messages)} for field, messages in exc.message_dict.items()]
            message = _("Dữ liệu gửi lên không hợp lệ.")
        else:
            details, message = [], " ".join(exc.messages)
        return error_response(api, request, status=422, code="invalid", message=message, details=details)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, status=404, code="not_found", message=_("Không tìm thấy."))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, status=401, code="unauthenticated", message=_("Cần đăng nhập."))

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(api, request, status=exc.status_code, code="error", message=str(exc))
