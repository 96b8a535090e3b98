"""Throttling of anonymous feedback (phản ánh, kiến nghị gửi không đăng nhập), per address, in Django's cache —
the pattern of motcua.dossiers.lookup_throttle (and its client address and clock, from accounts.throttle).

After `MOTCUA_FEEDBACK_PER_IP` anonymous submissions from one address within `MOTCUA_FEEDBACK_WINDOW_SECONDS`,
that address may not send anonymously for `MOTCUA_FEEDBACK_LOCKOUT_SECONDS` (logged-in senders are not counted:
their account answers for them). Only new submissions count, never a retry of the same one.
"""

from __future__ import annotations

from motcua.accounts import throttle as login_throttle

_THROTTLE = login_throttle.AddressThrottle(
    prefix="motcua:feedback-throttle",
    limit_setting="MOTCUA_FEEDBACK_PER_IP", default_limit=5,
    window_setting="MOTCUA_FEEDBACK_WINDOW_SECONDS", default_window=60 * 60,
    lockout_setting="MOTCUA_FEEDBACK_LOCKOUT_SECONDS", default_lockout=60 * 60,
)  # fmt: skip
client_ip = login_throttle.client_ip


def minutes_left(ip: str) -> int:
    """Whole minutes (rounded up) until this address may send anonymously again; 0 when it may now."""
    return _THROTTLE.minutes_left(ip)


def record_submission(ip: str) -> bool:
    """Count one anonymous submission from this address; True if the address is now locked."""
    return _THROTTLE.record(ip, kind="sent")
