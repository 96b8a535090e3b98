"""Throttling of failed public lookups — dossier status and share codes, on the portal's pages and in the API, one
count per address — in Django's cache, the way accounts throttles logins.

After `MOTCUA_LOOKUP_FAILURES_PER_IP` failed lookups (a code and last-4 pair that matches no dossier) from
one IP address within `MOTCUA_LOOKUP_FAILURE_WINDOW_SECONDS`, that address may not look up anything for
`MOTCUA_LOOKUP_LOCKOUT_SECONDS`, so the 10,000 possible last-4 digits of a known code cannot be tried out.
"""

from __future__ import annotations

from django.utils.translation import ngettext

from motcua.accounts import throttle as login_throttle

_THROTTLE = login_throttle.AddressThrottle(
    prefix="motcua:lookup-throttle",
    limit_setting="MOTCUA_LOOKUP_FAILURES_PER_IP", default_limit=30,
    window_setting="MOTCUA_LOOKUP_FAILURE_WINDOW_SECONDS", default_window=15 * 60,
    lockout_setting="MOTCUA_LOOKUP_LOCKOUT_SECONDS", default_lockout=15 * 60,
)  # fmt: skip
client_ip = login_throttle.client_ip


def minutes_left(ip: str) -> int:
    """Whole minutes (rounded up) until this address may look up again; 0 when it is not locked."""
    return _THROTTLE.minutes_left(ip)


def record_failure(ip: str) -> bool:
    """Count one failed lookup from this address; True if the address is now locked."""
    return _THROTTLE.record(ip, kind="failures")


def locked_message(minutes: int) -> str:
    """What a locked-out address is told (the same words on the pages and in the API)."""
    return ngettext(
        "Bạn đã tra cứu không thành công quá nhiều lần. Hãy thử lại sau %(counter)s phút.",
        "Bạn đã tra cứu không thành công quá nhiều lần. Hãy thử lại sau %(counter)s phút.",
        minutes,
    ) % {"counter": minutes}
