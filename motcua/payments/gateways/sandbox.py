"""The sandbox gateway: a pretend payment gateway inside motcua, for development, demos and tests.

It behaves like a real one, with its own secret (settings.MOTCUA_SANDBOX_GATEWAY_SECRET): the pay URL
carries the merchant's request signed with HMAC-SHA512 over the sorted `sbx_*` parameters (the VNPay rule);
its pay/cancel page (/payments/sandbox/pay/<txn_ref>/) then sends a signed notification to the same
`services.handle_notification()` the VNPay IPN endpoint calls (in process: no network), and sends the
browser back to the return URL with the same signed parameters, for display only. No money moves, so it
is never enabled in production.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from motcua.payments.gateways.base import (
    Gateway,
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

PREFIX = "sbx_"
HASH_KEY = "sbx_SecureHash"
SUCCESS = "00"
CANCELLED = "24"  # as VNPay: the customer cancelled the transaction
REQUEST_KEYS = ("sbx_TxnRef", "sbx_Amount", "sbx_OrderInfo", "sbx_ReturnUrl", "sbx_Locale", "sbx_CreateDate")


class SandboxGateway(Gateway):
    code = "sandbox"
    name = "Cổng thanh toán thử nghiệm"

    def __init__(self) -> None:
        if getattr(settings, "IS_PRODUCTION", False):
            raise GatewayUnavailable("The sandbox gateway takes no money: it is never enabled in production.")
        self.secret = getattr(settings, "MOTCUA_SANDBOX_GATEWAY_SECRET", "")
        if not self.secret:
            raise GatewayUnavailable("The sandbox gateway needs MOTCUA_SANDBOX_GATEWAY_SECRET.")

    def sign(self, params: Mapping[str, object]) -> dict[str, str]:
        """The `sbx_*` parameters with their signature added."""
        signed = {key: str(value) for key, value in params.items() if str(key).startswith(PREFIX) and key != HASH_KEY}
        signed[HASH_KEY] = hmac_sha512(self.secret, canonical_query(signed, prefix=PREFIX, exclude=(HASH_KEY,)))
        return signed

    def signature_ok(self, params: Mapping[str, str]) -> bool:
        expected = hmac_sha512(self.secret, canonical_query(params, prefix=PREFIX, exclude=(HASH_KEY,)))
        return same_signature(expected, params.get(HASH_KEY))

    @staticmethod
    def query(signed: Mapping[str, str]) -> str:
        return canonical_query(signed, prefix=PREFIX)

    # ----- the merchant's side ---------------------------------------------------------------------------------------

    def start_payment(self, payment: Payment, *, return_url: str, client_ip: str, locale: str = "vn") -> str:
        dossier_code = payment.bill.dossier.code if payment.bill_id else ""
        request = self.sign(
            {
                "sbx_TxnRef": payment.txn_ref,
                "sbx_Amount": payment.amount,
                "sbx_OrderInfo": f"Nộp phí, lệ phí hồ sơ {dossier_code}".strip(),
                "sbx_ReturnUrl": return_url,
                "sbx_Locale": locale,
                "sbx_CreateDate": gmt7_stamp(payment.created_at or timezone.now()),
            }
        )
        return f"{reverse('payments:sandbox_pay', args=[payment.txn_ref])}?{self.query(request)}"

    def parse_notification(self, params: Mapping[str, str]) -> Notification:
        raw = flat_params(params)
        amount_text = raw.get("sbx_Amount", "")
        return Notification(
            txn_ref=raw.get("sbx_TxnRef", "")[:100],
            amount=int(amount_text) if amount_text.isdigit() else None,
            success=raw.get("sbx_ResponseCode") == SUCCESS,
            gateway_txn_no=raw.get("sbx_TransactionNo", "")[:64],
            raw=raw,
            signature_valid=self.signature_ok(raw),
            response_code=raw.get("sbx_ResponseCode", ""),
            paid_at=parse_gmt7_stamp(raw.get("sbx_PayDate")),
        )

    def query_status(self, payment: Payment) -> StatusResult:
        """The sandbox's memory is the notifications it sent, as our ledger recorded them."""
        from motcua.payments.models import EventKind, PaymentEvent

        sent = (
            PaymentEvent.objects.filter(
                gateway=self.code, txn_ref=payment.txn_ref, kind=EventKind.NOTIFICATION, signature_valid=True
            )
            .order_by("-received_at", "-pk")
            .first()
        )
        if sent is None:
            return StatusResult(status="pending", amount=payment.amount)
        note = self.parse_notification(sent.raw)
        return StatusResult(
            status="paid" if note.success else "failed",
            amount=note.amount,
            gateway_txn_no=note.gateway_txn_no,
            raw=sent.raw,
            paid_at=note.paid_at if note.success else None,
        )

    def refund(self, payment: Payment, amount: int, *, reason: str = "", requested_by: str = "") -> RefundResult:
        number = f"R{secrets.randbelow(10**9):09d}"
        return RefundResult(success=True, gateway_txn_no=number, raw={"amount": amount, "refund_no": number})

    # ----- the gateway's side (used by the sandbox pay page) ---------------------------------------------------------

    def read_request(self, params: Mapping[str, str]) -> dict[str, str] | None:
        """The merchant's signed pay request, or None when it is incomplete or its signature does not match."""
        raw = flat_params(params)
        if not self.signature_ok(raw) or not all(raw.get(key) for key in ("sbx_TxnRef", "sbx_Amount")):
            return None
        if not raw["sbx_Amount"].isdigit():
            return None
        return {key: raw[key] for key in (*REQUEST_KEYS, HASH_KEY) if key in raw}

    def notification_for(self, request: Mapping[str, str], *, paid: bool) -> dict[str, str]:
        """The signed notification this gateway sends for a request: paid, or cancelled by the customer."""
        return self.sign(
            {
                "sbx_TxnRef": request["sbx_TxnRef"],
                "sbx_Amount": request["sbx_Amount"],
                "sbx_ResponseCode": SUCCESS if paid else CANCELLED,
                "sbx_TransactionNo": f"{secrets.randbelow(10**10):010d}" if paid else "",
                "sbx_PayDate": gmt7_stamp(timezone.now()),
            }
        )
