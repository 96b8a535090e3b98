"""The words of the payment ledger that the services write and the reconciliation reads back."""

from __future__ import annotations

import re

# The IPN reply codes of VNPay 2.1.0 (and their English messages, as the gateway expects them).
CONFIRMED, NOT_FOUND, ALREADY_CONFIRMED, INVALID_AMOUNT, BAD_CHECKSUM, UNKNOWN_ERROR = (
    "00",
    "01",
    "02",
    "04",
    "97",
    "99",
)
RSP_MESSAGES = {
    CONFIRMED: "Confirm Success",
    NOT_FOUND: "Order not found",
    ALREADY_CONFIRMED: "Order already confirmed",
    INVALID_AMOUNT: "Invalid amount",
    BAD_CHECKSUM: "Invalid signature",
    UNKNOWN_ERROR: "Unknown error",
}

# The note kept on a notification refused for its amount; the reconciliation report reads the figures back.
WRONG_AMOUNT_DETAIL = "amount {reported} differs from {expected}"
WRONG_AMOUNT_PATTERN = re.compile(r"amount (\d+|None) differs from (\d+)")
