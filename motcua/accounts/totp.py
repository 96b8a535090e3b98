"""Time-based one-time passwords (TOTP, RFC 6238) with the standard library.

The parameters are the ones every authenticator app understands: HMAC-SHA-1, 6 digits, a new code every
30 seconds. They are part of the protocol with the officer's app, not settings: changing them would break
every enrolled device. A code is identified by its time step (Unix time // 30); the caller records the
step of the last accepted code so that no code is accepted twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
ALGORITHM = "SHA1"
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends; 32 characters in base32


def now() -> float:
    """The clock, as Unix time. Tests replace it to compute codes at a fixed moment."""
    return time.time()


def generate_secret() -> str:
    """A new random shared secret, in base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def normalise_secret(secret: str) -> str:
    """Upper case, without spaces or padding; raises ValueError if it is not base32."""
    cleaned = "".join(secret.split()).upper().rstrip("=")
    _decode(cleaned)
    return cleaned


def _decode(secret: str) -> bytes:
    padded = secret + "=" * (-len(secret) % 8)
    try:
        key = base64.b32decode(padded, casefold=True)
    except ValueError as exc:
        raise ValueError("the secret is not valid base32") from exc
    if not key:
        raise ValueError("the secret is empty")
    return key


def hotp(key: bytes, counter: int, *, digits: int = DIGITS) -> str:
    """HOTP (RFC 4226): HMAC-SHA-1 of the 8-byte counter, dynamically truncated to `digits` digits."""
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def time_step(at: float | None = None) -> int:
    """The 30-second step that contains the moment `at` (default: now)."""
    return int((now() if at is None else at) // STEP_SECONDS)


def code_at(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows at the moment `at` (default: now)."""
    return hotp(_decode(normalise_secret(secret)), time_step(at))


def matching_step(
    secret: str, code: str, *, at: float | None = None, tolerance: int = 1, after_step: int | None = None
) -> int | None:
    """The time step whose code equals `code`, within ±`tolerance` steps of `at`, or None.

    Steps at or before `after_step` (the last accepted one) are never matched, so a code cannot be replayed.
    Every candidate is compared in constant time.
    """
    code = "".join((code or "").split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = _decode(normalise_secret(secret))
    current = time_step(at)
    found = None
    for step in range(current - tolerance, current + tolerance + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(hotp(key, step), code) and found is None:
            found = step
    return found


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI (Key Uri Format) that an authenticator app reads from a QR code or a paste."""
    label = quote(f"{issuer}:{account}", safe="")
    params = {
        "secret": normalise_secret(secret),
        "issuer": issuer,
        "algorithm": ALGORITHM,
        "digits": DIGITS,
        "period": STEP_SECONDS,
    }
    query = urlencode(params, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"


def grouped(secret: str, size: int = 4) -> str:
    """The secret in groups of four characters, easier to copy by hand."""
    cleaned = normalise_secret(secret)
    return " ".join(cleaned[i : i + size] for i in range(0, len(cleaned), size))
