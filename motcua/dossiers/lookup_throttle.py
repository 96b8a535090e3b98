"""Throttling of failed public lookups — dossier status and share codes, on the portal's pages and in the API, one
count per address — in Django's cache, the way accounts throttles logins.

After `MOTCUA_LOOKUP_FAILURES_PER_IP` failed lookups (a code and last-4 pair that matches no dossier) from
one IP address within `MOTCUA_LOOKUP_FAILURE_WINDOW_SECONDS`, that address may not look up anything for
`MOTCUA_LOOKUP_LOCKOUT_SECONDS`, so the 10,000 possible last-4 digits of a known code cannot be tried out.
"""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

from motcua.accounts import throttle as login_throttle

KEY_PREFIX = "motcua:lookup-throttle"
client_ip = login_throttle.client_ip


def _limits() -> tuple[int, int, int]:
    return (
        getattr(settings, "MOTCUA_LOOKUP_FAILURES_PER_IP", 30),
        getattr(settings, "MOTCUA_LOOKUP_FAILURE_WINDOW_SECONDS", 15 * 60),
        getattr(settings, "MOTCUA_LOOKUP_LOCKOUT_SECONDS", 15 * 60),
    )


def _key(kind: str, ip: str) -> str:
    return f"{KEY_PREFIX}:{kind}:{hashlib.sha256(ip.encode('utf-8')).hexdigest()[:40]}"


def minutes_left(ip: str) -> int:
    """Whole minutes (rounded up) until this address may look up again; 0 when it is not locked."""
    until = cache.get(_key("lock", ip))
    moment = login_throttle.now()
    if until is None or until <= moment:
        return 0
    return max(1, math.ceil((until - moment) / 60))


def record_failure(ip: str) -> bool:
    """Count one failed lookup from this address; True if the address is now locked."""
    limit, window, lockout = _limits()
    key = _key("failures", ip)
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


def locked_message(minutes: int) -> str:
    """What a locked-out address is told (the same words on the pages and in the API)."""
    return ngettext(
        "Bạn đã tra cứu không thành công quá nhiều lần. Hãy thử lại sau %(counter)s phút.",
        "Bạn đã tra cứu không thành công quá nhiều lần. Hãy thử lại sau %(counter)s phút.",
        minutes,
    ) % {"counter": minutes}
