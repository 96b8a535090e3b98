"""Why the exchange refuses something (the shared error shape, so the API answers in the one format)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ServiceError

# The refusal reasons of an incoming message → HTTP status and the message the sending operator reads.
REFUSALS = {
    "malformed": (400, _("Thông điệp không đúng định dạng JWS liên thông của motcua.")),
    "wrong_type": (400, _("Thông điệp không phải loại mà địa chỉ này nhận.")),
    "wrong_audience": (400, _("Gói tin không gửi cho hệ thống này.")),
    "wrong_sender": (400, _("Cơ quan gửi ghi trong gói tin không thuộc hệ thống đã ký gói tin.")),
    "digest_mismatch": (400, _("Nội dung tệp đính kèm không khớp mã SHA-256 đã ký.")),
    "unknown_key": (401, _("Hệ thống gửi hoặc khóa ký chưa được đăng ký, hoặc khóa đã ngừng dùng.")),
    "bad_signature": (
        401,
        _("Chữ ký của gói tin không hợp lệ: gói tin đã bị thay đổi sau khi ký, hoặc không do hệ thống gửi ký."),
    ),
    "stale": (401, _("Gói tin được ký quá lâu trước (hoặc sau) thời điểm nhận; hãy kiểm tra đồng hồ hệ thống.")),
    "unknown_package": (404, _("Không có gói tin này, hoặc gói tin không gửi từ hệ thống này.")),
    "replay": (409, _("Gói tin này đã được nhận trước đây; mỗi gói tin chỉ được nhận một lần.")),
    "wrong_state": (409, _("Gói tin không ở tình trạng cho phép việc này.")),
    "too_large": (413, _("Gói tin quá lớn.")),
}


class MessageRefusedError(ServiceError):
    """An incoming package or status that must not be acted on (recorded before this is raised). A replayed package
    carries the receipt issued for it the first time, so a sender whose answer was lost can still complete."""

    def __init__(self, reason: str, *, receipt: str = ""):
        status, message = REFUSALS[reason]
        super().__init__(str(message))
        self.status, self.code, self.reason, self.receipt = status, reason, reason, receipt


class ExchangeError(ServiceError):
    """A package that cannot be sent, or an action not allowed on it (the message says why)."""

    def __init__(self, message: str, *, code: str = "invalid", status: int = 400, errors: dict | None = None):
        super().__init__(str(message), errors=errors)
        self.code, self.status = code, status


class ReceiptInvalid(ServiceError):
    """A receipt that does not acknowledge the package as sent (wrong signer, package or digest)."""

    status = 502
    code = "receipt_invalid"


class DeliveryFailed(Exception):
    """A delivery attempt that did not get the package (or status) across; the outbox retries it."""


class EvidenceInvalid(Exception):
    """An evidence file that does not verify; the message says which check failed."""
