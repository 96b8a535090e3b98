"""Payment gateway plugins behind one small interface (see base.py)."""

from motcua.payments.gateways.base import (
    Gateway,
    GatewayError,
    GatewayUnavailable,
    Notification,
    RefundResult,
    StatusResult,
    enabled_codes,
    get_gateway,
)

__all__ = [
    "Gateway",
    "GatewayError",
    "GatewayUnavailable",
    "Notification",
    "RefundResult",
    "StatusResult",
    "enabled_codes",
    "get_gateway",
]
