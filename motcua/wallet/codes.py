"""Share codes: 12 characters of Crockford's base32 (60 random bits), typed or sent as a link.

Shown grouped (ABCD-EFGH-JKMN); read back whatever the case, dashes or the look-alikes O/0 and I/L/1. Only the
SHA-256 digest of the normalised code is stored.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalise(code: str) -> str | None:
    """The code without dashes and spaces, upper case, look-alikes mapped; None when it cannot be a code."""
    cleaned = "".join((code or "").split()).replace("-", "").upper().translate(_LOOK_ALIKES)
    if len(cleaned) != LENGTH or any(char not in ALPHABET for char in cleaned):
        return None
    return cleaned


def digest(code: str) -> str | None:
    cleaned = normalise(code)
    return None if cleaned is None else hashlib.sha256(cleaned.encode()).hexdigest()
