"""The wire format between instances: a JWS (RFC 7515, compact, ES256) whose payload is a JSON message.

Every message names its issuer (`iss`, the sending instance's code), its audience (`aud`), a unique id (`jti`)
and when it was signed (`iat`, seconds since the epoch); the protected header names the key (`kid`, its JWK
thumbprint) and the message type (`typ`). The receiver looks the key up among the issuer's registered keys,
verifies the signature, refuses a message signed too long ago or in the future, and (through its own records)
one whose `jti` it has already seen: a captured message cannot be replayed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from jwcrypto import jwk, jws
from jwcrypto.common import JWException, json_encode

from motcua.sync import keys

ALGORITHM = "ES256"
SYNC_BATCH = "motcua-sync-batch+jws"
KEY_ROTATION = "motcua-key-rotation+jws"


class MessageRefused(Exception):
    """A message that must not be acted on; `reason` is a short code kept in the receiver's records."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Opened:
    """A verified message."""

    issuer: str
    kid: str
    message_id: str
    signed_at: dt.datetime
    claims: dict


def unverified_claims(token: str) -> dict:
    """What a token says before any check — only for the record of its refusal (who it claims to be from)."""
    try:
        part = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError, TypeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def sign(*, typ: str, claims: dict, audience: str, issuer: str, key: jwk.JWK, now: dt.datetime) -> tuple[str, str]:
    """Sign `claims` as a message of type `typ`; returns (the compact JWS, its message id)."""
    message_id = uuid.uuid4().hex
    body = {**claims, "iss": issuer, "aud": audience, "jti": message_id, "iat": int(now.timestamp())}
    token = jws.JWS(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
    token.add_signature(key, None, json_encode({"alg": ALGORITHM, "kid": keys.kid_of(key), "typ": typ}))
    return token.serialize(compact=True), message_id


def open_message(
    token: str,
    *,
    typ: str,
    audience: str,
    key_for: Callable[[str, str], jwk.JWK | None],
    now: dt.datetime,
    max_age_seconds: int,
) -> Opened:
    """Verify `token` and return its claims, or raise MessageRefused saying why.

    key_for(issuer, kid) returns the issuer's registered key or None. The issuer is read from the unverified
    payload only to find the key; nothing else in it is trusted before the signature checks out.
    """
    parsed = jws.JWS()
    try:
        parsed.deserialize(token.strip())
        header = parsed.jose_header
        unverified = json.loads(parsed.objects["payload"])
    except (JWException, ValueError, KeyError, TypeError) as exc:
        raise MessageRefused("malformed", str(exc)[:200]) from exc
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM or header.get("typ") != typ:
        raise MessageRefused("wrong_type", f"expected {typ} signed with {ALGORITHM}")
    if not isinstance(unverified, dict) or not isinstance(unverified.get("iss"), str):
        raise MessageRefused("malformed", "the message names no issuer")
    issuer, kid = unverified["iss"], str(header.get("kid", ""))
    key = key_for(issuer, kid)
    if key is None:
        raise MessageRefused("unknown_key", f"{issuer} has no active key {kid}")
    try:
        parsed.verify(key, alg=ALGORITHM)
    except JWException as exc:
        raise MessageRefused("bad_signature", str(exc)[:200]) from exc
    claims = json.loads(parsed.payload)
    if claims.get("aud") != audience:
        raise MessageRefused("wrong_audience", f"meant for {claims.get('aud')!r}")
    message_id, signed = claims.get("jti"), claims.get("iat")
    if not isinstance(message_id, str) or not message_id or not isinstance(signed, int):
        raise MessageRefused("malformed", "jti and iat are required")
    signed_at = dt.datetime.fromtimestamp(signed, tz=dt.UTC)
    if abs((now - signed_at).total_seconds()) > max_age_seconds:
        raise MessageRefused("stale", f"signed at {signed_at.isoformat()}")
    return Opened(issuer=issuer, kid=kid, message_id=message_id, signed_at=signed_at, claims=claims)
