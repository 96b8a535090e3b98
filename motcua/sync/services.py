"""Every write of the national-portal connector: recording dossier changes, pushing them, resending, and the
registry of peer instances. One function per use case, keyword-only arguments, one transaction each (the push
holds no transaction while it waits for the portal)."""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Min, OuterRef, Q
from django.utils import timezone

from motcua.core.locking import lock_one, lock_rows
from motcua.dossiers.models import ActionKind, Dossier, DossierAction
from motcua.events import services as events
from motcua.sync import connectors, keys, protocol
from motcua.sync.models import (
    AttemptOutcome,
    DossierSyncState,
    PeerInstance,
    PeerKey,
    RecordStatus,
    SyncAttempt,
    SyncChannel,
    SyncRecord,
)
from motcua.sync.payload import national_payload, snapshot
from motcua.sync.signals import RECORDS_CHANGED

logger = logging.getLogger(__name__)

PUSH_HANDLER = "sync.push"
NATIONAL_CHANNEL = "national"
NATIONAL_AUDIENCE = "national"


class PeerInvalid(ValueError):
    """A peer registration that cannot be made (the message says why, for the operator)."""


@transaction.atomic
def record_changes(*, action_id: int, now: dt.datetime | None = None) -> list[SyncRecord]:
    """Record, in order, every change of the action's dossier up to that action that is not recorded yet.

    Workers may deliver a dossier's actions out of order: whichever comes first records the earlier ones too,
    under the lock of the dossier's sync state, so the numbering always follows the action log.
    """
    if settings.MOTCUA_SYNC_CONNECTOR == "off":
        return []  # this instance does not sync: nothing is owed
    now = now or timezone.now()
    found = DossierAction.objects.filter(pk=action_id).values_list("dossier_id", "seq").first()
    if found is None:
        return []
    dossier_id, upto = found
    DossierSyncState.objects.bulk_create([DossierSyncState(dossier_id=dossier_id)], ignore_conflicts=True)
    state = lock_one(DossierSyncState, dossier_id=dossier_id)
    if state.last_action_seq >= upto:
        return []
    dossier = Dossier.objects.select_related(
        "procedure_version__procedure", "procedure_version__field", "agency", "applicant"
    ).get(pk=dossier_id)
    log = list(
        DossierAction.objects.filter(dossier_id=dossier_id, seq__lte=upto)
        .exclude(kind=ActionKind.VIEW)
        .select_related("actor")
        .order_by("seq")
    )
    shared = snapshot(dossier)
    records = []
    for index, action in enumerate(log):
        if action.seq <= state.last_action_seq:
            continue
        state.last_seq += 1
        records.append(
            SyncRecord(
                dossier=dossier, seq=state.last_seq, action=action, agency_id=dossier.agency_id,
                state=action.to_state or dossier.state, changed_at=action.at, created_at=now,
                payload=national_payload(shared, log[: index + 1]),
            )
        )  # fmt: skip
    SyncRecord.objects.bulk_create(records)
    state.last_action_seq = upto
    state.save(update_fields=["last_action_seq", "last_seq"])
    if records:
        key = f"{dossier_id}:{state.last_seq}"
        events.publish(event=RECORDS_CHANGED, payload={"dossiers": [dossier_id]}, key=key, now=now)
        events.enqueue(handler=PUSH_HANDLER, payload={}, key=key, now=now)
    return records


@dataclass
class PushSummary:
    """What one call of push_pending did."""

    batches: int = 0
    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    gaps: int = 0
    refused: int = 0
    failed: bool = False
    retry_in: float = 0  # when to call again: after a failure's backoff, or at once when the budget ran out
    skipped: str = ""  # "off", "busy" (another sender has the lease) or "waiting" (backing off after a failure)


def push_pending(*, budget_seconds: float = 30.0) -> PushSummary:
    """Push the pending changes to the national portal, oldest first, in signed batches, until none are left, the
    budget is spent or a push fails (then the channel waits, doubling, before the next try).

    One sender at a time holds the channel's lease; a call that finds it taken returns at once, and the holder
    looks for new changes again after letting the lease go, so a change recorded meanwhile is not left behind.
    """
    summary = PushSummary()
    connector = connectors.current()
    if connector is None:
        summary.skipped = "off"
        return summary
    stop_at = time.monotonic() + budget_seconds
    while True:
        lease = _claim_channel(timezone.now())
        if lease is None:
            summary.skipped = summary.skipped or _why_not_claimed(timezone.now())
            return summary
        try:
            drained = _push_batches(connector, summary, stop_at)
        finally:
            SyncChannel.objects.filter(name=NATIONAL_CHANNEL, leased_until=lease).update(leased_until=None)
        if not drained or time.monotonic() >= stop_at or not _pending().exists():
            break
    if not summary.failed and _pending().exists():  # out of budget: carry on in a fresh task
        summary.retry_in = 0.1
    return summary


def _pending():
    """What waits to be sent. A dossier with a refused change waits whole (its later changes would only be gaps)
    until an operator sends it again (resend_since), so it never holds up the others."""
    refused = SyncRecord.objects.filter(dossier_id=OuterRef("dossier_id"), status=RecordStatus.REFUSED)
    return SyncRecord.objects.filter(status=RecordStatus.PENDING).exclude(Exists(refused))


def _claim_channel(now: dt.datetime) -> dt.datetime | None:
    SyncChannel.objects.get_or_create(name=NATIONAL_CHANNEL)
    lease = now + dt.timedelta(seconds=settings.MOTCUA_SYNC_LEASE_SECONDS)
    claimed = (
        SyncChannel.objects.filter(name=NATIONAL_CHANNEL)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(leased_until=lease)
    )
    return lease if claimed else None


def _why_not_claimed(now: dt.datetime) -> str:
    channel = SyncChannel.objects.get(name=NATIONAL_CHANNEL)
    return "waiting" if channel.next_attempt_at and channel.next_attempt_at > now else "busy"


def _push_batches(connector: connectors.Connector, summary: PushSummary, stop_at: float) -> bool:
    """Push batches until nothing is pending (True) or a push fails or time is up (False)."""
    key = keys.instance_key()
    while time.monotonic() < stop_at:
        # Records of one dossier are made in seq order under its lock, so id order keeps each dossier in order.
        batch = list(_pending().select_related("dossier").order_by("pk")[: settings.MOTCUA_SYNC_BATCH])
        if not batch:
            return True
        now = timezone.now()
        items = [
            {"dossier": r.dossier.code, "seq": r.seq, "changed_at": r.changed_at.isoformat(), "payload": r.payload}
            for r in batch
        ]
        token, batch_id = protocol.sign(
            typ=protocol.SYNC_BATCH, claims={"records": items}, audience=NATIONAL_AUDIENCE,
            issuer=settings.MOTCUA_INSTANCE_CODE, key=key, now=now,
        )  # fmt: skip
        attempt = _start_attempt(batch, batch_id=batch_id, connector=connector.name, now=now)
        started = time.monotonic()
        try:
            answer = connector.send(token)
        except connectors.TransportError as exc:
            summary.retry_in = _record_failure(
                attempt, batch, error=str(exc), outcome=AttemptOutcome.FAILED, started=started
            )
            summary.failed = True
            return False
        summary.batches += 1
        summary.sent += len(batch)
        if answer.refused:
            summary.retry_in = _record_failure(
                attempt, batch, error=answer.refused, outcome=AttemptOutcome.REFUSED, started=started,
                http_status=answer.http_status,
            )  # fmt: skip
            summary.failed = True
            return False
        if not _apply_answer(attempt, batch, answer, summary, started=started):
            # Nothing moved (every change a gap the portal cannot fill, or left unanswered): sending the same
            # batch again at once would only spin; wait as after a failure, and let an operator look.
            summary.retry_in = _wait_after_no_progress()
            summary.failed = True
            return False
    return False


@transaction.atomic
def _wait_after_no_progress() -> float:
    channel = SyncChannel.objects.get(name=NATIONAL_CHANNEL)
    channel.failures += 1
    wait = retry_seconds(channel.failures)
    channel.next_attempt_at = timezone.now() + dt.timedelta(seconds=wait)
    channel.last_error = "the national portal accepted none of the changes sent; they wait for an earlier change"
    channel.save(update_fields=["failures", "next_attempt_at", "last_error"])
    return wait


@transaction.atomic
def _start_attempt(batch: list[SyncRecord], *, batch_id: str, connector: str, now: dt.datetime) -> SyncAttempt:
    """The attempt is on record before the push leaves, so even one whose sender dies mid-way is listed."""
    attempt = SyncAttempt.objects.create(
        batch_id=batch_id, connector=connector, started_at=now, outcome=AttemptOutcome.FAILED,
        error="no answer yet",
    )  # fmt: skip
    attempt.records.add(*batch)
    SyncRecord.objects.filter(pk__in=[r.pk for r in batch]).update(attempts=F("attempts") + 1)
    return attempt


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


@transaction.atomic
def _record_failure(
    attempt: SyncAttempt,
    batch: list[SyncRecord],
    *,
    error: str,
    outcome: str,
    started: float,
    http_status: int | None = None,
) -> float:
    """Record a failed push; returns the seconds the channel now waits before the next one."""
    now = timezone.now()
    attempt.outcome, attempt.error, attempt.http_status = outcome, error[:2000], http_status
    attempt.duration_ms = _elapsed_ms(started)
    attempt.save(update_fields=["outcome", "error", "http_status", "duration_ms"])
    SyncRecord.objects.filter(pk__in=[r.pk for r in batch]).update(last_error=error[:2000])
    channel = SyncChannel.objects.get(name=NATIONAL_CHANNEL)  # the sender's lease keeps others off this row
    channel.failures += 1
    wait = retry_seconds(channel.failures)
    channel.next_attempt_at = now + dt.timedelta(seconds=wait)
    channel.last_failure_at, channel.last_error = now, error[:2000]
    channel.save(update_fields=["failures", "next_attempt_at", "last_failure_at", "last_error"])
    logger.warning("push to the national portal failed", extra={"batch": attempt.batch_id, "retry_in": wait})
    return wait


def retry_seconds(failures: int) -> float:
    """Doubling from the base up to the cap, ±20 % so instances that failed together do not return together."""
    base = settings.MOTCUA_SYNC_RETRY_BASE_SECONDS * 2 ** max(failures - 1, 0)
    return min(base, settings.MOTCUA_SYNC_RETRY_MAX_SECONDS) * random.uniform(0.8, 1.2)


@transaction.atomic
def _apply_answer(
    attempt: SyncAttempt, batch: list[SyncRecord], answer: connectors.Answer, summary: PushSummary, *, started: float
) -> bool:
    """Record what the portal said of each change; True when anything moved (accepted, refused or rewound)."""
    now = timezone.now()
    results = {(str(r.get("dossier")), r.get("seq")): r for r in answer.results if isinstance(r, dict)}
    accepted: list[int] = []
    refused: dict[int, str] = {}
    rewind: dict[int, int] = {}  # dossier id → the seq the portal expects next
    unanswered: list[int] = []
    counts = {"accepted": 0, "duplicate": 0, "gap": 0, "refused": 0}
    for record in batch:
        result = results.get((record.dossier.code, record.seq))
        outcome = result.get("outcome") if result else None
        if outcome in ("accepted", "duplicate"):
            accepted.append(record.pk)
        elif outcome == "gap" and isinstance(result.get("expected_seq"), int):
            rewind[record.dossier_id] = min(rewind.get(record.dossier_id, record.seq), result["expected_seq"])
        elif outcome == "refused":
            refused[record.pk] = str(result.get("reason", "refused"))[:2000]
        else:
            unanswered.append(record.pk)
            continue
        counts[outcome] += 1
    summary.accepted += counts["accepted"]
    summary.duplicates += counts["duplicate"]
    summary.gaps += counts["gap"]
    summary.refused += counts["refused"]
    states = lock_rows((DossierSyncState, {record.dossier_id for record in batch}))[DossierSyncState]
    SyncRecord.objects.filter(pk__in=accepted).update(status=RecordStatus.ACCEPTED, accepted_at=now, last_error="")
    for pk, reason in refused.items():
        SyncRecord.objects.filter(pk=pk).update(status=RecordStatus.REFUSED, last_error=reason)
    rewound = 0
    for dossier_id, expected in rewind.items():
        # The portal lacks earlier changes (lost, or sent out of order): send them again from the one it expects
        # (a refused one stays refused for an operator: its successors wait).
        later = SyncRecord.objects.filter(dossier_id=dossier_id, seq__gte=expected)
        rewound += later.filter(status=RecordStatus.ACCEPTED).update(status=RecordStatus.PENDING, accepted_at=None)
        later.filter(status=RecordStatus.PENDING).update(last_error=f"the portal expects change {expected} first")
    SyncRecord.objects.filter(pk__in=unanswered).update(last_error="the portal's answer did not mention this change")
    _refresh_accepted_seq(states)
    moved = sorted({r.dossier_id for r in batch if r.pk in set(accepted) | set(refused)} | set(rewind))
    if moved:
        events.publish(event=RECORDS_CHANGED, payload={"dossiers": moved}, key=attempt.batch_id, now=now)
    attempt.outcome, attempt.http_status, attempt.error = AttemptOutcome.DELIVERED, answer.http_status, ""
    attempt.accepted, attempt.duplicates, attempt.gaps = counts["accepted"], counts["duplicate"], counts["gap"]
    attempt.duration_ms = _elapsed_ms(started)
    attempt.save(update_fields=["outcome", "http_status", "error", "accepted", "duplicates", "gaps", "duration_ms"])
    progressed = bool(accepted or refused or rewound)
    if progressed:
        SyncChannel.objects.filter(name=NATIONAL_CHANNEL).update(
            failures=0, next_attempt_at=None, last_success_at=now, last_error=""
        )
    return progressed


def _refresh_accepted_seq(states: list[DossierSyncState]) -> None:
    """Each dossier's accepted_seq: the changes before its first one not accepted (all, if none is)."""
    first_open = dict(
        SyncRecord.objects.filter(dossier_id__in=[s.dossier_id for s in states])
        .exclude(status=RecordStatus.ACCEPTED)
        .values("dossier_id")
        .annotate(first=Min("seq"))
        .values_list("dossier_id", "first")
    )
    changed = []
    for state in states:
        value = first_open[state.dossier_id] - 1 if state.dossier_id in first_open else state.last_seq
        if value != state.accepted_seq:
            state.accepted_seq = value
            changed.append(state)
    DossierSyncState.objects.bulk_update(changed, ["accepted_seq"])


@transaction.atomic
def resend_since(*, since: dt.datetime, agency_ids: list[int] | None = None) -> int:
    """Send again every change recorded since `since` (of these agencies): after the portal lost data, say. The
    portal drops what it already has, so resending is always safe. Returns how many changes will be sent."""
    records = SyncRecord.objects.filter(created_at__gte=since)
    if agency_ids is not None:
        records = records.filter(agency_id__in=agency_ids)
    dossier_ids = set(records.values_list("dossier_id", flat=True).distinct())
    states = lock_rows((DossierSyncState, dossier_ids))[DossierSyncState]
    count = records.update(status=RecordStatus.PENDING, accepted_at=None, last_error="")
    _refresh_accepted_seq(states)
    ordered = sorted(dossier_ids)
    stamp = timezone.now().timestamp()
    for start in range(0, len(ordered), 500):
        events.publish(
            event=RECORDS_CHANGED, payload={"dossiers": ordered[start : start + 500]}, key=f"resend:{stamp}:{start}"
        )
    SyncChannel.objects.filter(name=NATIONAL_CHANNEL).update(next_attempt_at=None, failures=0)
    if count and settings.MOTCUA_SYNC_CONNECTOR != "off":
        events.enqueue(handler=PUSH_HANDLER, payload={}, key=f"resend:{timezone.now().timestamp()}")
    return count


@transaction.atomic
def register_peer(*, code: str, name: str, public_pem: str, url: str = "", now: dt.datetime | None = None) -> PeerKey:
    """Trust another instance and its first key (or add a key to a known one: key rotation starts here)."""
    now = now or timezone.now()
    try:
        key = keys.load_public(public_pem)
    except ValueError as exc:
        raise PeerInvalid(f"The public key is not an EC P-256 public key in PEM: {exc}") from exc
    peer, _created = PeerInstance.objects.get_or_create(
        code=code, defaults={"name": name, "url": url, "registered_at": now}
    )
    kid = keys.kid_of(key)
    existing = PeerKey.objects.filter(kid=kid).first()
    if existing is not None:
        if existing.peer_id != peer.pk:
            raise PeerInvalid(f"The key {kid} belongs to {existing.peer.code}.")
        return existing
    return PeerKey.objects.create(peer=peer, kid=kid, public_pem=keys.public_pem(key), added_at=now)


@transaction.atomic
def retire_peer_key(*, kid: str, now: dt.datetime | None = None) -> PeerKey:
    """Stop accepting messages signed with `kid` (after the peer has moved to its new key)."""
    key = PeerKey.objects.select_related("peer").get(kid=kid)
    if key.retired_at is None:
        key.retired_at = now or timezone.now()
        key.save(update_fields=["retired_at"])
    return key
