"""Throttling of anonymous feedback (phản ánh, kiến nghị gửi không đăng nhập), per address, in Django's cache —
the pattern of motcua.dossiers.lookup_throttle (and its client address and clock, from accounts.throttle).

After `MOTCUA_FEEDBACK_PER_IP` anonymous submissions from one address within `MOTCUA_FEEDBACK_WINDOW_SECONDS`,
that address may not send anonymously for `MOTCUA_FEEDBACK_LOCKOUT_SECONDS` (logged-in senders are not counted:
their account answers for them). Only new submissions count, never a retry of the same one.
"""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from django.core.cache import cache

from motcua.accounts import throttle as login_throttle

KEY_PREFIX = "motcua:feedback-throttle"
client_ip = login_throttle.client_ip


def _limits() -> tuple[int, int, int]:
    return (
        getattr(settings, "MOTCUA_FEEDBACK_PER_IP", 5),
        getattr(settings, "MOTCUA_FEEDBACK_WINDOW_SECONDS", 60 * 60),
        getattr(settings, "MOTCUA_FEEDBACK_LOCKOUT_SECONDS", 60 * 60),
    )


def _key(kind: str, ip: str) -> str:
    return f"{KEY_PREFIX}:{kind}:{hashlib.sha256(ip.encode('utf-8')).hexdigest()[:40]}"


def minutes_left(ip: str) -> int:
    """Whole minutes (rounded up) until this address may send anonymously again; 0 when it may now."""
    until = cache.get(_key("lock", ip))
    moment = login_throttle.now()
    if until is None or until <= moment:
        return 0
    return max(1, math.ceil((until - moment) / 60))


def record_submission(ip: str) -> bool:
    """Count one anonymous submission from this address; True if the address is now locked."""
    limit, window, lockout = _limits()
    key = _key("sent", ip)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    if count >= limit:
        cache.set(_key("lock", ip), login_throttle.now() + lockout, timeout=lockout)
        cache.delete(key)
        return True
    return False
