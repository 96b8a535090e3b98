"""Encryption at rest of the authenticator (TOTP) secrets, with the keys of MOTCUA_OTP_KEY.

Fernet (AES-128-CBC with HMAC-SHA-256, from `cryptography`). With several keys (settings.MOTCUA_OTP_KEYS, the
newest first) it is MultiFernet: the first key encrypts, every key decrypts, so a secret encrypted with an old
key still works until `manage.py rotate_otp_secrets` re-encrypts it with the first.

The clear secret exists only in memory: it is never logged, and shown only once, on the enrolment page.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

FIX = (
    "no key in MOTCUA_OTP_KEY fits. If the key was changed, set MOTCUA_OTP_KEY to the new key followed by the "
    "old one (MOTCUA_OTP_KEY=<new key>,<old key>) and run `python manage.py rotate_otp_secrets`."
)


class SecretUnreadable(Exception):
    """A stored secret that no configured key decrypts (the key was changed without keeping the old one)."""


def keys() -> list[str]:
    return list(settings.MOTCUA_OTP_KEYS)


def _fernet(key_list: Sequence[str] | None = None) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in (keys() if key_list is None else key_list)])


@sensitive_variables()
def encrypt(secret: str) -> str:
    """The secret, encrypted with the first key: an ASCII token (url-safe base64)."""
    return _fernet().encrypt(secret.encode("ascii")).decode("ascii")


@sensitive_variables()
def decrypt(token: str) -> str:
    """The clear secret; raises SecretUnreadable when no key decrypts the token."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable(f"A stored authenticator secret cannot be decrypted: {FIX}") from None


def rotate(token: str) -> str:
    """The same secret, encrypted again with the first key (whichever key encrypted it)."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable(f"A stored authenticator secret cannot be decrypted: {FIX}") from None


def uses_first_key(token: str) -> bool:
    """True if the first key (the one that encrypts) decrypts the token: rotation has nothing to do for it."""
    try:
        _fernet(keys()[:1]).decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeError):
        return False
    return True
