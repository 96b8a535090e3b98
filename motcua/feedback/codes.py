"""Tracking codes (mã theo dõi) of feedback: the wallet's share codes (motcua.wallet.codes), 12 characters of
Crockford's base32 shown as ABCD-EFGH-JKMN, read back whatever the case, dashes or look-alikes.

A code is drawn from the submission's idempotency key with a keyed hash (the site's secret), not at random: a
retried submission (a double click, whose first answer the browser dropped) shows the same code again, although
only its digest is stored. The key itself is stored only as a digest too, so the database alone gives no code.
"""

from __future__ import annotations

import hashlib

from django.utils.crypto import salted_hmac

from motcua.wallet.codes import ALPHABET, LENGTH, digest, normalise

SALT = "motcua.feedback.tracking-code"

__all__ = ["code_for_key", "digest", "grouped", "key_digest", "normalise"]


def code_for_key(key: str) -> str:
    """The tracking code of the submission made with this idempotency key (60 bits of HMAC-SHA256)."""
    bits = int.from_bytes(salted_hmac(SALT, key, algorithm="sha256").digest()[:8], "big") >> (64 - 5 * LENGTH)
    raw = "".join(ALPHABET[(bits >> (5 * (LENGTH - 1 - i))) & 31] for i in range(LENGTH))
    return grouped(raw)


def grouped(normalised: str) -> str:
    return "-".join(normalised[i : i + 4] for i in range(0, len(normalised), 4))


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
