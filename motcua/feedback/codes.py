"""Tracking codes (mã theo dõi) of feedback: the wallet's share codes (motcua.wallet.codes), 12 characters of
Crockford's base32 shown as ABCD-EFGH-JKMN, read back whatever the case, dashes or look-alikes.

A code is drawn from the submission's idempotency key with a keyed hash (the site's secret), not at random: a
retried submission (a double click, whose first answer the browser dropped) shows the same code again, although
only its digest is stored. The key itself is stored only as a digest too, so the database alone gives no code.
"""

from __future__ import annotations

from motcua.wallet import codes as wallet_codes
from motcua.wallet.codes import digest, grouped, key_digest, normalise

SALT = "motcua.feedback.tracking-code"

__all__ = ["code_for_key", "digest", "grouped", "key_digest", "normalise"]


def code_for_key(key: str) -> str:
    """The tracking code of the submission made with this idempotency key."""
    return wallet_codes.code_for_key(key, salt=SALT)
