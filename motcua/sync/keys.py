"""This instance's signing key, and the public keys of the peers it trusts.

The instance signs what it sends to other instances (sync pushes, exchange packages, receipts) with one EC P-256
key read from settings.MOTCUA_INSTANCE_KEY_FILE. Development and tests create that file on first use; production
refuses to start without it (settings). A key is named by its JWK thumbprint (RFC 7638), the `kid` of every JWS.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jwcrypto import jwk

from motcua.sync.models import PeerKey


def new_key() -> jwk.JWK:
    return jwk.JWK.generate(kty="EC", crv="P-256")


def write_private_pem(key: jwk.JWK, path: Path) -> None:
    """Write a private key readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.export_to_pem(private_key=True, password=None))


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> jwk.JWK:
    try:
        key = jwk.JWK.from_pem(Path(path).read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"MOTCUA_INSTANCE_KEY_FILE={path}: cannot read an EC private key ({exc}).") from exc
    if not key.has_private or key.get("crv") != "P-256":
        raise ImproperlyConfigured(f"MOTCUA_INSTANCE_KEY_FILE={path}: expected an EC P-256 private key.")
    return key


def instance_key() -> jwk.JWK:
    """The key this instance signs with (created on first use outside production; re-read when the file changes,
    so a rotated key is picked up without a restart)."""
    path = Path(settings.MOTCUA_INSTANCE_KEY_FILE)
    if not path.exists():
        if settings.ENVIRONMENT == "production":
            raise ImproperlyConfigured(f"MOTCUA_INSTANCE_KEY_FILE={path} does not exist.")
        try:
            write_private_pem(new_key(), path)
        except FileExistsError:  # another process made it a moment ago
            pass
    return _load(str(path), path.stat().st_mtime)


def kid_of(key: jwk.JWK) -> str:
    return key.thumbprint()


def public_pem(key: jwk.JWK) -> str:
    return key.export_to_pem().decode()


@lru_cache(maxsize=1024)
def load_public(pem: str) -> jwk.JWK:
    """A public key from PEM text; ValueError when it is not an EC P-256 public key. Parsed once per text (a
    receiver checks every push against it)."""
    try:
        key = jwk.JWK.from_pem(pem.encode())
    except (ValueError, TypeError) as exc:
        raise ValueError(str(exc)) from exc
    if key.get("crv") != "P-256":
        raise ValueError("not an EC P-256 key")
    if key.has_private:
        raise ValueError("a private key was given where the public one belongs")
    return key


def peer_key(*, peer_code: str, kid: str, at: dt.datetime) -> jwk.JWK | None:
    """The active peer's key `kid`, if it was valid at `at` (added before, not retired before); else None."""
    found = (
        PeerKey.objects.filter(kid=kid, peer__code=peer_code, peer__is_active=True, added_at__lte=at)
        .values_list("public_pem", "retired_at")
        .first()
    )
    if found is None or (found[1] is not None and found[1] <= at):
        return None
    return load_public(found[0])
