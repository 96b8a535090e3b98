"""The exchange's messages on the wire, in the instances' one format (motcua.sync.protocol: compact JWS, ES256).

- a package (`motcua-exchange-package+jws`), from the sending instance to the receiving one (`aud`): who sends to
  whom, the kind, subject, dossier code and metadata, and each document's name, media type, size, SHA-256 and
  content (base64);
- a receipt (`motcua-exchange-receipt+jws`), back from the receiver: the package id, the SHA-256 of the exact
  package token it received, the outcome (received, or returned with a reason) and when;
- a status (`motcua-exchange-status+jws`), later from the receiver: the package processed or returned.

A token's parts must be canonical base64url, so that no changed character, not even one that base64 decoding would
ignore, passes for the token that was signed: the SHA-256 a receipt acknowledges names one token only.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import uuid

from django.conf import settings
from jwcrypto import jwk
from jwcrypto.common import base64url_decode, base64url_encode
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from motcua.exchange.models import PackageKind, ReceiptOutcome
from motcua.sync import keys, protocol
from motcua.sync.protocol import MessageRefused

PACKAGE = "motcua-exchange-package+jws"
RECEIPT = "motcua-exchange-receipt+jws"
STATUS = "motcua-exchange-status+jws"

PACKAGES_PATH = "/api/v1/exchange/packages"
STATUSES_PATH = "/api/v1/exchange/statuses"

MAX_DOCUMENTS = 50
MAX_TOKEN_BYTES = 48 * 1024 * 1024
_MEDIA_TYPE = r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}$"
_SHA256 = r"^[0-9a-f]{64}$"


def max_age_seconds() -> int:
    """How long after signing a package or status is still accepted. Longer than a sync push's: a package waits in
    the sender's outbox while the receiver is down (replays are refused by the package id, whatever its age)."""
    return settings.MOTCUA_EXCHANGE_MAX_AGE_SECONDS


# A receipt is read by the sender when the answer comes back, or later when a retry finds it already received.
RECEIPT_MAX_AGE_SECONDS = 30 * 24 * 3600


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def key_for(now: dt.datetime):
    """The issuer's key `kid` valid at `now`: this instance's own (when it sends to one of its own agencies) or a
    registered peer's active one."""

    def find(issuer: str, kid: str) -> jwk.JWK | None:
        if issuer == settings.MOTCUA_INSTANCE_CODE:
            own = keys.instance_key()
            return keys.load_public(keys.public_pem(own)) if keys.kid_of(own) == kid else None
        return keys.peer_key(peer_code=issuer, kid=kid, at=now)

    return find


def check_canonical(token: str) -> None:
    """Refuse a token whose parts are not canonical base64url (see the module's note)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise MessageRefused("malformed", "a compact JWS has three parts")
    for part in parts:
        try:
            if base64url_encode(base64url_decode(part)) != part:
                raise MessageRefused("malformed", "a part is not canonical base64url")
        except (binascii.Error, ValueError) as exc:
            raise MessageRefused("malformed", "a part is not base64url") from exc


def claimed(token: str) -> dict:
    """What an unverified token says (issuer, package id), for the record of its refusal only."""
    claims = protocol.unverified_claims(token)
    body = claims.get("package") or claims.get("status") or {}
    if not isinstance(body, dict):
        body = {}
    return {"issuer": str(claims.get("iss", ""))[:40], "package_id": str(body.get("id", ""))[:64]}


def signer_public_pem(opened: protocol.Opened, *, now: dt.datetime) -> str:
    """The public key (PEM) that verified `opened`, kept beside the token so it can be checked again after the
    signer's key has been rotated."""
    return keys.public_pem(key_for(now)(opened.issuer, opened.kid))


# ----- packages -------------------------------------------------------------------------------------------------


class Party(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: str = Field(min_length=1, max_length=40)
    name: str = Field(default="", max_length=255)
    instance: str = Field(min_length=1, max_length=40)


class WireDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255)
    media_type: str = Field(pattern=_MEDIA_TYPE)
    size: int = Field(gt=0)
    sha256: str = Field(pattern=_SHA256)
    content: str


class WirePackage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID
    kind: PackageKind
    sender: Party
    recipient: Party
    subject: str = Field(min_length=1, max_length=1000)
    dossier_code: str = Field(default="", max_length=60)
    metadata: dict = Field(default_factory=dict)
    sent_at: dt.datetime
    documents: list[WireDocument] = Field(min_length=1, max_length=MAX_DOCUMENTS)


def package_claims(
    *,
    package_id: uuid.UUID,
    kind: str,
    sender: dict,
    recipient: dict,
    subject: str,
    dossier_code: str,
    metadata: dict,
    sent_at: dt.datetime,
    documents: list[tuple[str, str, bytes]],
) -> dict:
    """The claims of a package JWS; documents are (name, media type, content)."""
    return {
        "package": {
            "id": str(package_id), "kind": kind, "sender": sender, "recipient": recipient, "subject": subject,
            "dossier_code": dossier_code, "metadata": metadata, "sent_at": sent_at.isoformat(),
            "documents": [
                {"name": name, "media_type": media_type, "size": len(content), "sha256": sha256_hex(content),
                 "content": base64.b64encode(content).decode("ascii")}
                for name, media_type, content in documents
            ],
        }
    }  # fmt: skip


def open_package(token: str, *, now: dt.datetime) -> tuple[protocol.Opened, WirePackage, list[bytes]]:
    """Verify a package addressed to this instance; returns it with each document's bytes, or raises
    MessageRefused (signature, audience, freshness, sender, digests)."""
    if len(token) > MAX_TOKEN_BYTES:
        raise MessageRefused("too_large", f"more than {MAX_TOKEN_BYTES} bytes")
    check_canonical(token)
    opened = protocol.open_message(
        token, typ=PACKAGE, audience=settings.MOTCUA_INSTANCE_CODE, key_for=key_for(now), now=now,
        max_age_seconds=max_age_seconds(),
    )  # fmt: skip
    try:
        package = WirePackage.model_validate(opened.claims.get("package"))
    except ValidationError as exc:
        raise MessageRefused("malformed", str(exc)[:500]) from exc
    if package.sender.instance != opened.issuer:
        raise MessageRefused("wrong_sender", f"signed by {opened.issuer}, sent as {package.sender.instance}")
    if package.recipient.instance != settings.MOTCUA_INSTANCE_CODE:
        raise MessageRefused("wrong_audience", f"meant for {package.recipient.instance!r}")
    contents = []
    for document in package.documents:
        try:
            content = base64.b64decode(document.content, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MessageRefused("malformed", f"{document.name}: the content is not base64") from exc
        if len(content) != document.size or sha256_hex(content) != document.sha256:
            raise MessageRefused("digest_mismatch", f"{document.name}: the content differs from its SHA-256")
        contents.append(content)
    return opened, package, contents


# ----- receipts and statuses ------------------------------------------------------------------------------------


class WireReceipt(BaseModel):
    package_id: uuid.UUID
    package_sha256: str = Field(pattern=_SHA256)
    recipient: Party
    outcome: ReceiptOutcome
    reason: str = Field(default="", max_length=2000)
    received_at: dt.datetime


def receipt_claims(
    *, package_id: uuid.UUID, package_sha256: str, recipient: dict, outcome: str, reason: str, received_at: dt.datetime
) -> dict:
    return {
        "receipt": {
            "package_id": str(package_id), "package_sha256": package_sha256, "recipient": recipient,
            "outcome": outcome, "reason": reason, "received_at": received_at.isoformat(),
        }
    }  # fmt: skip


def open_receipt(token: str, *, now: dt.datetime) -> tuple[protocol.Opened, WireReceipt]:
    check_canonical(token)
    opened = protocol.open_message(
        token, typ=RECEIPT, audience=settings.MOTCUA_INSTANCE_CODE, key_for=key_for(now), now=now,
        max_age_seconds=RECEIPT_MAX_AGE_SECONDS,
    )  # fmt: skip
    try:
        return opened, WireReceipt.model_validate(opened.claims.get("receipt"))
    except ValidationError as exc:
        raise MessageRefused("malformed", str(exc)[:500]) from exc


class WireStatus(BaseModel):
    id: uuid.UUID
    package_sha256: str = Field(pattern=_SHA256)
    status: str = Field(pattern=r"^(processed|returned)$")
    reason: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=2000)
    at: dt.datetime
    agency: str = Field(default="", max_length=40)
    officer: str = Field(default="", max_length=255)


def status_claims(
    *, package_id: uuid.UUID, package_sha256: str, status: str, reason: str, note: str, at: dt.datetime, agency: str,
    officer: str,
) -> dict:  # fmt: skip
    return {
        "status": {
            "id": str(package_id), "package_sha256": package_sha256, "status": status, "reason": reason,
            "note": note, "at": at.isoformat(), "agency": agency, "officer": officer,
        }
    }  # fmt: skip


def open_status(token: str, *, now: dt.datetime) -> tuple[protocol.Opened, WireStatus]:
    if len(token) > 1024 * 1024:
        raise MessageRefused("too_large", "a status is small")
    check_canonical(token)
    opened = protocol.open_message(
        token, typ=STATUS, audience=settings.MOTCUA_INSTANCE_CODE, key_for=key_for(now), now=now,
        max_age_seconds=max_age_seconds(),
    )  # fmt: skip
    try:
        status = WireStatus.model_validate(opened.claims.get("status"))
    except ValidationError as exc:
        raise MessageRefused("malformed", str(exc)[:500]) from exc
    if status.status == "returned" and not status.reason.strip():
        raise MessageRefused("malformed", "a return needs a reason")
    return opened, status


def sign(*, typ: str, claims: dict, audience: str, now: dt.datetime) -> tuple[str, str, str, str]:
    """Sign with this instance's key: (token, message id, kid, public PEM)."""
    key = keys.instance_key()
    token, message_id = protocol.sign(
        typ=typ, claims=claims, audience=audience, issuer=settings.MOTCUA_INSTANCE_CODE, key=key, now=now
    )
    return token, message_id, keys.kid_of(key), keys.public_pem(key)
