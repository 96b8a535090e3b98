"""A VNPay-compatible gateway: the public VNPay 2.1.0 protocol (pay URL, return URL, IPN, querydr, refund).

Pay URL and IPN/return: every `vnp_*` parameter but the hash, empty ones dropped, sorted by key, each key
and value URL-encoded with quote_plus (as the published Python sample does), joined with "&"; that string
is both the query string and the HMAC-SHA512 input (key: the merchant's hash secret); the lower-case hex
digest goes in `vnp_SecureHash`. Amounts are đồng × 100; dates are yyyyMMddHHmmss in GMT+7.

querydr and refund (server-to-server JSON POSTs to the merchant API) sign the values of a fixed list of
fields joined by "|", in the documented order, not sorted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from motcua.payments.gateways.base import (
    Gateway,
    GatewayError,
    GatewayUnavailable,
    Notification,
    RefundResult,
    StatusResult,
    canonical_query,
    flat_params,
    gmt7_stamp,
    hmac_sha512,
    parse_gmt7_stamp,
    same_signature,
)

if TYPE_CHECKING:
    from motcua.payments.models import Payment

VERSION = "2.1.0"
PREFIX = "vnp_"
HASH_KEYS = ("vnp_SecureHash", "vnp_SecureHashType")
LOCALES = ("vn", "en")

QUERY_REQUEST_FIELDS = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef", "vnp_TransactionDate",
    "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
)  # fmt: skip
QUERY_RESPONSE_FIELDS = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef", "vnp_Amount",
    "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType", "vnp_TransactionStatus",
    "vnp_OrderInfo", "vnp_PromotionCode", "vnp_PromotionAmount",
)  # fmt: skip
REFUND_REQUEST_FIELDS = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType", "vnp_TxnRef",
    "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate", "vnp_IpAddr",
    "vnp_OrderInfo",
)  # fmt: skip
REFUND_RESPONSE_FIELDS = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef", "vnp_Amount",
    "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType", "vnp_TransactionStatus",
    "vnp_OrderInfo",
)  # fmt: skip

# vnp_TransactionStatus (querydr) → our payment status.
TRANSACTION_STATUS = {"00": "paid", "01": "pending", "02": "failed", "05": "pending", "06": "pending"}
QUERY_NOT_FOUND = "91"  # querydr's vnp_ResponseCode when VNPay has no such transaction

_ORDER_INFO_CHARS = re.compile(r"[^A-Za-z0-9 .:\-]+")

Transport = Callable[[str, dict, float], dict]


def ascii_text(text: str, *, limit: int = 255) -> str:
    """VNPay wants order info in Vietnamese without diacritics and without special characters."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(_ORDER_INFO_CHARS.sub(" ", plain).split())[:limit]


def post_json(url: str, body: dict, timeout: float) -> dict:
    """POST a JSON body and read a JSON answer (the merchant API of querydr and refund)."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode("utf-8"), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        raise GatewayError(f"VNPay API call failed: {exc}") from exc


class VNPayGateway(Gateway):
    code = "vnpay"
    name = "VNPay"

    def __init__(self, *, transport: Transport | None = None) -> None:
        self.tmn_code = getattr(settings, "VNPAY_TMN_CODE", "")
        self.hash_secret = getattr(settings, "VNPAY_HASH_SECRET", "")
        self.pay_url = getattr(settings, "VNPAY_PAY_URL", "")
        self.api_url = getattr(settings, "VNPAY_API_URL", "")
        self.order_type = getattr(settings, "VNPAY_ORDER_TYPE", "other")
        self.expire_minutes = int(getattr(settings, "VNPAY_EXPIRE_MINUTES", 15))
        self.timeout = float(getattr(settings, "VNPAY_API_TIMEOUT_SECONDS", 30))
        self.transport = transport or post_json
        if not (self.tmn_code and self.hash_secret and self.pay_url):
            raise GatewayUnavailable("VNPay needs VNPAY_TMN_CODE, VNPAY_HASH_SECRET and VNPAY_PAY_URL.")

    # ----- signing -------------------------------------------------------------------------------------------------

    def secure_hash(self, params: Mapping[str, object]) -> str:
        return hmac_sha512(self.hash_secret, canonical_query(params, prefix=PREFIX, exclude=HASH_KEYS))

    def _pipe_hash(self, values: Mapping[str, object], fields: tuple[str, ...]) -> str:
        return hmac_sha512(self.hash_secret, "|".join(str(values.get(name) or "") for name in fields))

    # ----- pay ---------------------------------------------------------------------------------------------------

    def payment_params(
        self, payment: Payment, *, return_url: str, client_ip: str, locale: str = "vn"
    ) -> dict[str, str]:
        created = payment.created_at or timezone.now()
        expires = created + dt.timedelta(minutes=self.expire_minutes)
        dossier_code = payment.bill.dossier.code if payment.bill_id else ""
        return {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(payment.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.txn_ref,
            "vnp_OrderInfo": ascii_text(f"Nop phi le phi ho so {dossier_code} ma GD {payment.txn_ref}"),
            "vnp_OrderType": self.order_type,
            "vnp_Locale": locale if locale in LOCALES else "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": gmt7_stamp(created),
            "vnp_ExpireDate": gmt7_stamp(expires),
        }

    def start_payment(self, payment: Payment, *, return_url: str, client_ip: str, locale: str = "vn") -> str:
        params = self.payment_params(payment, return_url=return_url, client_ip=client_ip, locale=locale)
        query = canonical_query(params, prefix=PREFIX)
        return f"{self.pay_url}?{query}&vnp_SecureHash={hmac_sha512(self.hash_secret, query)}"

    # ----- IPN and return ------------------------------------------------------------------------------------------

    def parse_notification(self, params: Mapping[str, str]) -> Notification:
        raw = flat_params(params)
        signature_valid = same_signature(self.secure_hash(raw), raw.get("vnp_SecureHash")) and (
            raw.get("vnp_TmnCode") == self.tmn_code
        )
        amount = None
        amount_text = raw.get("vnp_Amount", "")
        if amount_text.isdigit() and int(amount_text) % 100 == 0:
            amount = int(amount_text) // 100
        response_code = raw.get("vnp_ResponseCode", "")
        return Notification(
            txn_ref=raw.get("vnp_TxnRef", "")[:100],
            amount=amount,
            success=response_code == "00" and raw.get("vnp_TransactionStatus") == "00",
            gateway_txn_no=raw.get("vnp_TransactionNo", "")[:64],
            raw=raw,
            signature_valid=signature_valid,
            response_code=response_code,
            paid_at=parse_gmt7_stamp(raw.get("vnp_PayDate")),
        )

    # ----- merchant API: querydr and refund --------------------------------------------------------------------------

    def _api(self, body: dict, response_fields: tuple[str, ...]) -> tuple[dict, bool]:
        if not self.api_url:
            raise GatewayUnavailable("VNPay's merchant API needs VNPAY_API_URL.")
        answer = self.transport(self.api_url, body, self.timeout)
        if not isinstance(answer, dict):
            raise GatewayError("VNPay API answered something that is not a JSON object")
        answer = {str(k): "" if v is None else str(v) for k, v in answer.items()}
        valid = same_signature(self._pipe_hash(answer, response_fields), answer.get("vnp_SecureHash"))
        return answer, valid

    def query_request(self, payment: Payment, *, client_ip: str = "127.0.0.1") -> dict[str, str]:
        body = {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": payment.txn_ref,
            "vnp_OrderInfo": ascii_text(f"Tra cuu giao dich {payment.txn_ref}"),
            "vnp_TransactionNo": payment.gateway_txn_no,
            "vnp_TransactionDate": gmt7_stamp(payment.created_at),
            "vnp_CreateDate": gmt7_stamp(timezone.now()),
            "vnp_IpAddr": client_ip,
        }
        body["vnp_SecureHash"] = self._pipe_hash(body, QUERY_REQUEST_FIELDS)
        return body

    def query_status(self, payment: Payment) -> StatusResult:
        answer, valid = self._api(self.query_request(payment), QUERY_RESPONSE_FIELDS)
        if not valid:
            return StatusResult(status="unknown", raw=answer, signature_valid=False, message="invalid checksum")
        if answer.get("vnp_ResponseCode") == QUERY_NOT_FOUND:
            return StatusResult(status="not_found", raw=answer, message=answer.get("vnp_Message", ""))
        if answer.get("vnp_ResponseCode") != "00":
            return StatusResult(status="unknown", raw=answer, message=answer.get("vnp_Message", ""))
        amount_text = answer.get("vnp_Amount", "")
        return StatusResult(
            status=TRANSACTION_STATUS.get(answer.get("vnp_TransactionStatus", ""), "unknown"),
            amount=int(amount_text) // 100 if amount_text.isdigit() and int(amount_text) % 100 == 0 else None,
            gateway_txn_no=answer.get("vnp_TransactionNo", ""),
            raw=answer,
            message=answer.get("vnp_Message", ""),
            paid_at=parse_gmt7_stamp(answer.get("vnp_PayDate")),
        )

    def expires_after(self) -> dt.timedelta:
        """vnp_ExpireDate, as sent with the pay URL."""
        return dt.timedelta(minutes=self.expire_minutes)

    def refund_request(
        self, payment: Payment, amount: int, *, requested_by: str, reason: str, client_ip: str = "127.0.0.1"
    ) -> dict[str, str]:
        body = {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": VERSION,
            "vnp_Command": "refund",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TransactionType": "02" if amount == payment.amount else "03",
            "vnp_TxnRef": payment.txn_ref,
            "vnp_Amount": str(amount * 100),
            "vnp_OrderInfo": ascii_text(reason or f"Hoan tien giao dich {payment.txn_ref}"),
            "vnp_TransactionNo": payment.gateway_txn_no,
            "vnp_TransactionDate": gmt7_stamp(payment.created_at),
            "vnp_CreateBy": ascii_text(requested_by or "motcua", limit=250),
            "vnp_CreateDate": gmt7_stamp(timezone.now()),
            "vnp_IpAddr": client_ip,
        }
        body["vnp_SecureHash"] = self._pipe_hash(body, REFUND_REQUEST_FIELDS)
        return body

    def refund(self, payment: Payment, amount: int, *, reason: str = "", requested_by: str = "") -> RefundResult:
        body = self.refund_request(payment, amount, requested_by=requested_by, reason=reason)
        answer, valid = self._api(body, REFUND_RESPONSE_FIELDS)
        if not valid:
            return RefundResult(success=False, raw=answer, message="invalid checksum")
        return RefundResult(
            success=answer.get("vnp_ResponseCode") == "00",
            gateway_txn_no=answer.get("vnp_TransactionNo", ""),
            raw=answer,
            message=answer.get("vnp_Message", ""),
        )
