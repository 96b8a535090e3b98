"""Share codes: 12 characters of Crockford's base32 (60 random bits), typed or sent as a link.

Shown grouped (ABCD-EFGH-JKMN); read back whatever the case, dashes or the look-alikes O/0 and I/L/1. Only the
SHA-256 digest of the normalised code is stored. A code is random, or (`code_for_key`) drawn from an idempotency key
with a keyed hash of the site's secret, so that a retried request shows the same code again although only its
digest is kept.
"""

from __future__ import annotations

import hashlib
import secrets

from django.utils.crypto import salted_hmac

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return grouped("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def grouped(normalised: str) -> str:
    return "-".join(normalised[i : i + 4] for i in range(0, len(normalised), 4))


def code_for_key(key: str, *, salt: str) -> str:
    """The code of the request made with this idempotency key: 60 bits of HMAC-SHA256 (salted per use)."""
    bits = int.from_bytes(salted_hmac(salt, key, algorithm="sha256").digest()[:8], "big") >> (64 - 5 * LENGTH)
    return grouped("".join(ALPHABET[(bits >> (5 * (LENGTH - 1 - i))) & 31] for i in range(LENGTH)))


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def share_key_digest(owner, key: str) -> str:
    """What a share keeps of its owner's Idempotency-Key (keys are the owner's own: scoped by the owner)."""
    return key_digest(f"{owner.pk}:{key}")


def normalise(code: str) -> str | None:
    """The code without dashes and spaces, upper case, look-alikes mapped; None when it cannot be a code."""
    cleaned = "".join((code or "").split()).replace("-", "").upper().translate(_LOOK_ALIKES)
    if len(cleaned) != LENGTH or any(char not in ALPHABET for char in cleaned):
        return None
    return cleaned


def digest(code: str) -> str | None:
    cleaned = normalise(code)
    return None if cleaned is None else hashlib.sha256(cleaned.encode()).hexdigest()
