"""Throttling of failed logins, kept in Django's cache (per process in development, Redis in production).

A failure is a wrong password or a wrong one-time code. After `MOTCUA_LOGIN_FAILURES_PER_ACCOUNT` failures
for one account identifier, or `MOTCUA_LOGIN_FAILURES_PER_IP` from one IP address, within
`MOTCUA_LOGIN_FAILURE_WINDOW_SECONDS`, that identifier (or address) is locked for
`MOTCUA_LOGIN_LOCKOUT_SECONDS`: every attempt is refused, even with the right password.

Identifiers are counted whether or not an account has them, so a lock says nothing about which accounts
exist. Cache keys hold a hash of the identifier, never the identifier itself.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

KEY_PREFIX = "motcua:login-throttle"


def now() -> float:
    """The clock, as Unix time. Tests replace it to step past a lockout."""
    return time.time()


@dataclass(frozen=True)
class Limits:
    per_account: int
    per_ip: int
    window_seconds: int
    lockout_seconds: int


def limits() -> Limits:
    return Limits(
        per_account=settings.MOTCUA_LOGIN_FAILURES_PER_ACCOUNT,
        per_ip=settings.MOTCUA_LOGIN_FAILURES_PER_IP,
        window_seconds=settings.MOTCUA_LOGIN_FAILURE_WINDOW_SECONDS,
        lockout_seconds=settings.MOTCUA_LOGIN_LOCKOUT_SECONDS,
    )


def normalise_identifier(identifier: str | None) -> str:
    """How an identifier is counted: without spaces, case-insensitive (so 'Admin' and 'admin ' are one)."""
    return "".join((identifier or "").split()).casefold()


def client_ip(request: HttpRequest | None) -> str:
    """The client's address: REMOTE_ADDR, or the header a trusted proxy sets (MOTCUA_CLIENT_IP_HEADER).

    When the header is a list (X-Forwarded-For), the last entry is the one our own proxy added; the
    earlier ones are whatever the client chose to send.
    """
    if request is None:
        return ""
    header = settings.MOTCUA_CLIENT_IP_HEADER
    if header:
        entries = [entry.strip() for entry in request.META.get(header, "").split(",") if entry.strip()]
        if entries:
            return entries[-1]
    return request.META.get("REMOTE_ADDR", "")


def _key(purpose: str, scope: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:40]
    return f"{KEY_PREFIX}:{purpose}:{scope}:{digest}"


def _scopes(identifier: str | None, ip: str | None) -> list[tuple[str, str, int]]:
    current = limits()
    scopes = []
    if normalised := normalise_identifier(identifier):
        scopes.append(("account", normalised, current.per_account))
    if ip:
        scopes.append(("ip", ip, current.per_ip))
    return scopes


def locked_until(*, identifier: str | None, ip: str | None) -> float | None:
    """When the lock on this identifier or address ends (Unix time), or None if neither is locked."""
    moment = now()
    ends = [
        until
        for scope, value, _limit in _scopes(identifier, ip)
        if (until := cache.get(_key("lock", scope, value))) is not None and until > moment
    ]
    return max(ends) if ends else None


def is_locked(*, identifier: str | None, ip: str | None) -> bool:
    return locked_until(identifier=identifier, ip=ip) is not None


def minutes_left(*, identifier: str | None, ip: str | None) -> int:
    """Whole minutes until the lock ends, rounded up (0 when not locked)."""
    until = locked_until(identifier=identifier, ip=ip)
    return 0 if until is None else max(1, math.ceil((until - now()) / 60))


def record_failure(*, identifier: str | None, ip: str | None) -> bool:
    """Count one failed attempt against the identifier and the address; True if either is now locked."""
    current = limits()
    for scope, value, limit in _scopes(identifier, ip):
        key = _key("failures", scope, value)
        cache.add(key, 0, timeout=current.window_seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=current.window_seconds)
            count = 1
        if count >= limit:
            cache.set(_key("lock", scope, value), now() + current.lockout_seconds, timeout=current.lockout_seconds)
            cache.delete(key)  # after the lockout, a fresh count
    return is_locked(identifier=identifier, ip=ip)


def reset(*, identifier: str | None) -> None:
    """Forget the failures of an identifier after a complete, successful login (the address keeps its count)."""
    if normalised := normalise_identifier(identifier):
        cache.delete(_key("failures", "account", normalised))


@dataclass(frozen=True)
class AddressThrottle:
    """Count events per client address in the cache; after `limit` within `window` seconds, lock that address for
    `lockout` seconds. The limits are read from the settings named, with defaults (one mechanism, several uses:
    failed public lookups, anonymous feedback)."""

    prefix: str
    limit_setting: str
    window_setting: str
    lockout_setting: str
    default_limit: int
    default_window: int
    default_lockout: int

    def _limits(self) -> tuple[int, int, int]:
        return (
            getattr(settings, self.limit_setting, self.default_limit),
            getattr(settings, self.window_setting, self.default_window),
            getattr(settings, self.lockout_setting, self.default_lockout),
        )

    def _key(self, kind: str, ip: str) -> str:
        return f"{self.prefix}:{kind}:{hashlib.sha256(ip.encode('utf-8')).hexdigest()[:40]}"

    def minutes_left(self, ip: str) -> int:
        """Whole minutes (rounded up) until this address is let through again; 0 when it is not locked."""
        until = cache.get(self._key("lock", ip))
        moment = now()
        if until is None or until <= moment:
            return 0
        return max(1, math.ceil((until - moment) / 60))

    def record(self, ip: str, *, kind: str = "events") -> bool:
        """Count one event from this address; True if the address is now locked."""
        limit, window, lockout = self._limits()
        key = self._key(kind, ip)
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window)
            count = 1
        if count >= limit:
            cache.set(self._key("lock", ip), now() + lockout, timeout=lockout)
            cache.delete(key)
            return True
        return False
