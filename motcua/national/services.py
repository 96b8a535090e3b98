"""Every write of the national instance: receiving a signed batch of dossier changes from a registered instance.

A batch is verified before anything in it is believed (protocol.open_message), recorded whatever the outcome,
and applied in one transaction: each dossier's changes in their numbered order, a change already held dropped
as a duplicate, one that skips ahead refused with the number expected next (the sender sends from there).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import BaseModel, Field, ValidationError

from motcua.core.locking import lock_rows
from motcua.national.errors import PushRefused
from motcua.national.models import BatchOutcome, NationalChange, NationalDossier, ReceivedBatch
from motcua.national.queries import is_national_portal
from motcua.sync import keys, protocol
from motcua.sync.models import PeerInstance
from motcua.sync.payload import NationalPayload, parse_national_date
from motcua.sync.services import NATIONAL_AUDIENCE

MAX_TOKEN_BYTES = 8 * 1024 * 1024
MAX_RECORDS = 1000


class _Record(BaseModel):
    dossier: str = Field(min_length=1, max_length=60)
    seq: int = Field(ge=1)
    changed_at: dt.datetime
    payload: NationalPayload


@dataclass(frozen=True)
class BatchAnswer:
    batch: str
    results: list[dict]


def receive_batch(*, token: str, remote_addr: str | None = None, now: dt.datetime | None = None) -> BatchAnswer:
    """Verify and apply one pushed batch; raises PushRefused (after recording it) when it must not be applied."""
    now = now or timezone.now()
    digest = hashlib.sha256(token.encode()).hexdigest()
    if not is_national_portal():
        raise PushRefused("not_national")
    if len(token) > MAX_TOKEN_BYTES:
        _record_refusal(reason="too_large", detail="", digest=digest, remote_addr=remote_addr, now=now)
        raise PushRefused("too_large")
    try:
        opened = protocol.open_message(
            token, typ=protocol.SYNC_BATCH, audience=NATIONAL_AUDIENCE,
            key_for=lambda issuer, kid: keys.peer_key(peer_code=issuer, kid=kid, at=now),
            now=now, max_age_seconds=settings.MOTCUA_SYNC_MAX_AGE_SECONDS,
        )  # fmt: skip
        records = opened.claims.get("records")
        if not isinstance(records, list) or len(records) > MAX_RECORDS:
            raise protocol.MessageRefused("malformed", f"records must be a list of at most {MAX_RECORDS}")
    except protocol.MessageRefused as refused:
        _record_refusal(reason=refused.reason, detail=refused.detail, digest=digest, remote_addr=remote_addr, now=now,
                        issuer=_claimed_issuer(token))  # fmt: skip
        raise PushRefused(refused.reason) from refused
    try:
        return _apply(opened, records, digest=digest, remote_addr=remote_addr, now=now)
    except IntegrityError:
        if not ReceivedBatch.objects.filter(message_id=opened.message_id).exists():
            raise  # a race on a new dossier: the sender's retry finds it made
        _record_refusal(reason="replay", detail=f"batch {opened.message_id} again", digest=digest,
                        remote_addr=remote_addr, now=now, issuer=opened.issuer, kid=opened.kid)  # fmt: skip
        raise PushRefused("replay") from None


def _claimed_issuer(token: str) -> str:
    """Who an unverified token says it is from, for the record of its refusal only."""
    return str(protocol.unverified_claims(token).get("iss", ""))[:40]


@transaction.atomic
def _record_refusal(
    *, reason: str, detail: str, digest: str, remote_addr: str | None, now: dt.datetime, issuer: str = "", kid: str = ""
) -> None:
    peer = PeerInstance.objects.filter(code=issuer).first() if issuer else None
    ReceivedBatch.objects.create(
        peer=peer, claimed_issuer=issuer, kid=kid[:64], received_at=now, remote_addr=remote_addr,
        outcome=BatchOutcome.REFUSED, reason=reason, detail=detail[:2000], token_digest=digest,
    )  # fmt: skip


@transaction.atomic
def _apply(opened: protocol.Opened, records: list, *, digest: str, remote_addr: str | None, now: dt.datetime):
    peer = PeerInstance.objects.get(code=opened.issuer)
    batch = ReceivedBatch.objects.create(
        peer=peer, claimed_issuer=opened.issuer, kid=opened.kid, message_id=opened.message_id, received_at=now,
        signed_at=opened.signed_at, remote_addr=remote_addr, outcome=BatchOutcome.ACCEPTED, token_digest=digest,
        records=len(records),
    )  # fmt: skip
    parsed: list[tuple[object, _Record | None, str]] = []
    for raw in records:
        try:
            record = _Record.model_validate(raw)
            if record.payload.MaHoSo != record.dossier:
                raise ValueError("MaHoSo differs from the change's dossier code")
            parsed.append((raw, record, ""))
        except (ValidationError, ValueError) as exc:
            parsed.append((raw, None, str(exc)[:500]))
    codes = {record.dossier for _raw, record, _error in parsed if record is not None}
    existing = dict(NationalDossier.objects.filter(code__in=codes).values_list("code", "pk"))
    locked = lock_rows((NationalDossier, existing.values()))[NationalDossier] if existing else []
    dossiers = {dossier.code: dossier for dossier in locked}
    changed: dict[str, NationalDossier] = {}
    created: dict[str, NationalDossier] = {}
    changes: list[NationalChange] = []
    ordered: list[dict] = []
    for raw, record, error in parsed:
        if record is None:
            ordered.append(_result(raw, "refused", reason=error))
            continue
        dossier = dossiers.get(record.dossier)
        if dossier is not None and dossier.peer_id != peer.pk:
            ordered.append(_result(record, "refused", reason="the dossier belongs to another instance"))
            continue
        expected = dossier.last_seq + 1 if dossier is not None else 1
        if record.seq < expected:
            ordered.append(_result(record, "duplicate"))
            continue
        if record.seq > expected:
            ordered.append(_result(record, "gap", expected_seq=expected))
            continue
        if dossier is None:
            dossier = NationalDossier(peer=peer, code=record.dossier)
            dossiers[record.dossier] = created[record.dossier] = dossier
        elif record.dossier not in created:
            changed.setdefault(record.dossier, dossier)
        _project(dossier, record, now)
        changes.append(
            NationalChange(dossier=dossier, seq=record.seq, state=record.payload.TrangThaiHoSo,
                           action=str(record.payload.model_extra.get("ThayDoi", {}).get("HanhDong", ""))[:30],
                           changed_at=record.changed_at, received_at=now, batch=batch)
        )  # fmt: skip
        ordered.append(_result(record, "accepted"))
    NationalDossier.objects.bulk_create(created.values())
    for change in changes:
        change.dossier = dossiers[change.dossier.code]  # the created rows' primary keys
    for dossier in changed.values():  # one UPDATE per locked row: a CASE per field per row costs twice as much
        NationalDossier.objects.filter(pk=dossier.pk).update(
            **{field: getattr(dossier, field) for field in _PROJECTED_FIELDS}
        )
    NationalChange.objects.bulk_create(changes)
    counts = {outcome: sum(1 for r in ordered if r["outcome"] == outcome) for outcome in _OUTCOMES}
    batch.accepted, batch.duplicates, batch.gaps = counts["accepted"], counts["duplicate"], counts["gap"]
    batch.refused_records = counts["refused"]
    batch.save(update_fields=["accepted", "duplicates", "gaps", "refused_records"])
    return BatchAnswer(batch=opened.message_id, results=ordered)


_OUTCOMES = ("accepted", "duplicate", "gap", "refused")
_PROJECTED_FIELDS = [
    "agency_code", "agency_name", "procedure_code", "procedure_name", "state", "channel", "submitted_at",
    "received_at", "appointment_at", "finished_at", "returned_at", "last_seq", "changed_at", "updated_at", "payload",
]  # fmt: skip


def _project(dossier: NationalDossier, record: _Record, now: dt.datetime) -> None:
    payload = record.payload
    dossier.agency_code, dossier.agency_name = payload.MaCoQuan, payload.TenCoQuan
    dossier.procedure_code, dossier.procedure_name = payload.MaTTHC, payload.TenTTHC
    dossier.state, dossier.channel = payload.TrangThaiHoSo, payload.KenhThucHien
    dossier.submitted_at = parse_national_date(payload.NgayNopHoSo)
    dossier.received_at = parse_national_date(payload.NgayTiepNhan)
    dossier.appointment_at = parse_national_date(payload.NgayHenTra)
    dossier.finished_at = parse_national_date(payload.NgayKetThucXuLy)
    dossier.returned_at = parse_national_date(payload.NgayTra)
    dossier.last_seq, dossier.changed_at, dossier.updated_at = record.seq, record.changed_at, now
    dossier.payload = payload.model_dump(mode="json")


def _result(record, outcome: str, **extra) -> dict:
    if isinstance(record, _Record):
        dossier, seq = record.dossier, record.seq
    else:
        dossier = str(record.get("dossier", "")) if isinstance(record, dict) else ""
        seq = record.get("seq") if isinstance(record, dict) else None
    return {"dossier": dossier, "seq": seq, "outcome": outcome, **extra}
