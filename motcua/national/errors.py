"""Why the national receiver refuses a push (the shared error shape, so the API answers in the one format)."""

from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ServiceError

# The protocol's refusal reasons → HTTP status and the message the sending operator reads.
REFUSALS = {
    "malformed": (400, _("Gói đồng bộ không đúng định dạng JWS của motcua.")),
    "wrong_type": (400, _("Gói tin không phải là lô đồng bộ trạng thái hồ sơ.")),
    "wrong_audience": (400, _("Gói tin không gửi cho Cổng quốc gia.")),
    "unknown_key": (401, _("Hệ thống gửi hoặc khóa ký chưa được đăng ký, hoặc khóa đã ngừng dùng.")),
    "bad_signature": (401, _("Chữ ký của gói tin không hợp lệ.")),
    "stale": (401, _("Gói tin được ký quá lâu trước (hoặc sau) thời điểm nhận; hãy kiểm tra đồng hồ hệ thống.")),
    "replay": (409, _("Gói tin này đã được nhận trước đây; mỗi lô chỉ được gửi một lần.")),
    "too_large": (413, _("Lô đồng bộ quá lớn.")),
    "not_national": (404, _("Hệ thống này không phải Cổng quốc gia.")),
}


class PushRefused(ServiceError):
    def __init__(self, reason: str):
        status, message = REFUSALS[reason]
        super().__init__(str(message))
        self.status, self.code, self.reason = status, reason, reason
