"""The one small interface every payment gateway plugin implements, and the registry that finds them.

A gateway knows its own protocol (parameters, signatures, URLs) and nothing of the ledger: the payments
services decide what a notification means for a payment, a bill and a dossier.

    gateway = get_gateway("vnpay")
    url = gateway.start_payment(payment, return_url=..., client_ip=..., locale="vn")
    notification = gateway.parse_notification(request.GET)      # signature checked, nothing trusted yet
    status = gateway.query_status(payment)                       # for reconciliation
    result = gateway.refund(payment, amount)

Enabled gateways are listed in settings.MOTCUA_PAYMENT_GATEWAYS; a third-party plugin adds its class in
settings.MOTCUA_PAYMENT_GATEWAY_CLASSES ({"napas": "dotted.path.NapasGateway"}).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote_plus

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from motcua.payments.models import Payment

BUILTIN_GATEWAYS: dict[str, str] = {
    "sandbox": "motcua.payments.gateways.sandbox.SandboxGateway",
    "vnpay": "motcua.payments.gateways.vnpay.VNPayGateway",
}

GMT7 = dt.timezone(dt.timedelta(hours=7), "GMT+7")


class GatewayUnavailable(Exception):
    """The gateway code is unknown, not enabled, or not configured."""


class GatewayError(Exception):
    """The gateway could not be reached or answered something we cannot use."""


@dataclass(frozen=True)
class Notification:
    """What a gateway says happened to a transaction, parsed from its (signed) parameters."""

    txn_ref: str
    amount: int | None  # đồng; None when the parameter is missing or malformed
    success: bool
    gateway_txn_no: str
    raw: dict[str, str]
    signature_valid: bool
    response_code: str = ""
    paid_at: dt.datetime | None = None


@dataclass(frozen=True)
class StatusResult:
    """A gateway's answer to "what became of this transaction?".

    `status`: paid, failed, pending (started, not finished), not_found (the gateway never saw it: the applicant
    did not reach its page) or unknown (the gateway answered, but not with a status).
    """

    status: str
    amount: int | None = None
    gateway_txn_no: str = ""
    raw: dict = field(default_factory=dict)
    signature_valid: bool = True
    message: str = ""
    paid_at: dt.datetime | None = None


@dataclass(frozen=True)
class RefundResult:
    success: bool
    gateway_txn_no: str = ""
    raw: dict = field(default_factory=dict)
    message: str = ""


class Gateway(ABC):
    code: ClassVar[str]
    name: ClassVar[str]

    @abstractmethod
    def start_payment(self, payment: Payment, *, return_url: str, client_ip: str, locale: str = "vn") -> str:
        """The URL to send the applicant's browser to, to pay `payment.amount` for `payment.txn_ref`."""

    @abstractmethod
    def parse_notification(self, params: Mapping[str, str]) -> Notification:
        """Read a server-to-server notification (IPN); never raises for bad input, reports it instead."""

    def verify_return(self, params: Mapping[str, str]) -> Notification:
        """Read the browser's return parameters: for display only, never for changing the ledger."""
        return self.parse_notification(params)

    @abstractmethod
    def query_status(self, payment: Payment) -> StatusResult:
        """Ask the gateway what became of the payment (reconciliation, a notification that never came)."""

    @abstractmethod
    def refund(self, payment: Payment, amount: int, *, reason: str = "", requested_by: str = "") -> RefundResult:
        """Give back `amount` đồng of a paid payment."""

    def expires_after(self) -> dt.timedelta:
        """How long after it starts a payment can still be paid at this gateway (its pay page's lifetime).

        Past this, a payment the gateway still calls pending (or never saw) is expired by reconciliation.
        """
        return dt.timedelta(minutes=int(getattr(settings, "MOTCUA_PAYMENT_EXPIRE_MINUTES", 15)))


# ----- the signing rule shared by VNPay 2.1.0 and the sandbox -------------------------------------------------------


def canonical_query(params: Mapping[str, object], *, prefix: str, exclude: tuple[str, ...] = ()) -> str:
    """Parameters starting with `prefix`, empty ones dropped, sorted by key, URL-encoded with quote_plus, joined by &.

    This is both the query string sent to the gateway and the text that is signed (VNPay 2.1.0 samples).
    """
    items = sorted(
        (str(key), str(value))
        for key, value in params.items()
        if str(key).startswith(prefix) and key not in exclude and value is not None and str(value) != ""
    )
    return "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key, value in items)


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode("utf-8"), data.encode("utf-8"), hashlib.sha512).hexdigest()


def same_signature(expected: str, given: str | None) -> bool:
    """Constant-time comparison of hex digests, whatever the case (and whatever junk `given` holds)."""
    if not given:
        return False
    return hmac.compare_digest(expected.lower().encode(), str(given).strip().lower().encode("utf-8", "replace"))


def flat_params(params: Mapping) -> dict[str, str]:
    """A plain str → str dict from a QueryDict or a mapping (the last value of a repeated key, as Django does)."""
    getter = getattr(params, "dict", None)
    data = getter() if callable(getter) else dict(params)
    return {str(key): "" if value is None else str(value) for key, value in data.items()}


def gmt7_stamp(moment: dt.datetime) -> str:
    """yyyyMMddHHmmss in GMT+7, as VNPay wants dates."""
    return moment.astimezone(GMT7).strftime("%Y%m%d%H%M%S")


def parse_gmt7_stamp(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value or "", "%Y%m%d%H%M%S").replace(tzinfo=GMT7)
    except ValueError:
        return None


# ----- registry ---------------------------------------------------------------------------------------------------


def gateway_classes() -> dict[str, str]:
    return {**BUILTIN_GATEWAYS, **getattr(settings, "MOTCUA_PAYMENT_GATEWAY_CLASSES", {})}


def enabled_codes() -> list[str]:
    classes = gateway_classes()
    return [code for code in getattr(settings, "MOTCUA_PAYMENT_GATEWAYS", []) if code in classes]


def get_gateway(code: str) -> Gateway:
    """The enabled gateway for `code`, built from the current settings (raises GatewayUnavailable)."""
    if code not in enabled_codes():
        raise GatewayUnavailable(f"payment gateway {code!r} is not enabled (settings.MOTCUA_PAYMENT_GATEWAYS)")
    gateway = import_string(gateway_classes()[code])()
    if gateway.code != code:
        raise GatewayUnavailable(f"{gateway_classes()[code]} has code {gateway.code!r}, registered as {code!r}")
    return gateway
