"""Delivering outbox messages (the worker's side): each message to its handler once, retried with backoff.

A transactional handler runs inside the transaction that marks its message delivered, with the row locked:
its writes and "delivered" commit together or not at all, so it takes effect exactly once even if a worker is
killed mid-way. A handler that reaches outside the database claims its message for a lease, runs outside any
transaction, then marks it delivered; a worker killed mid-way lets the lease run out and the message is tried
again (at least once: such handlers are idempotent on the message).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from motcua.events import registry
from motcua.events.models import MessageStatus, OutboxMessage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What one delivery did: delivered, failed (to be retried in `retry_in` seconds), dead, or skipped
    (another worker has it, it is not due, or it is already delivered)."""

    status: str
    retry_in: float = 0


SKIPPED = Outcome("skipped")
DELIVERED = Outcome("delivered")


def due(now: dt.datetime) -> QuerySet[OutboxMessage]:
    """Messages a worker may take now."""
    return OutboxMessage.objects.filter(status=MessageStatus.PENDING, available_at__lte=now).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    )


def backoff_seconds(attempts: int) -> float:
    """The wait before the next attempt: doubling from the base up to the cap, with ±20 % jitter so that
    messages failing together do not all come back together."""
    base = settings.MOTCUA_OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return min(base, settings.MOTCUA_OUTBOX_RETRY_MAX_SECONDS) * random.uniform(0.8, 1.2)


def deliver(*, message_id: int) -> Outcome:
    """Deliver one message if it is due and nobody else has it."""
    name = OutboxMessage.objects.filter(pk=message_id).values_list("handler", flat=True).first()
    if name is None:
        return SKIPPED
    try:
        handler = registry.get_handler(name)
    except LookupError as exc:
        return _fail_unknown_handler(message_id, exc)
    if handler.transactional:
        return _deliver_in_transaction(message_id, handler)
    return _deliver_with_lease(message_id, handler)


def _deliver_in_transaction(message_id: int, handler: registry.Handler) -> Outcome:
    with transaction.atomic():
        now = timezone.now()
        message = due(now).select_for_update(skip_locked=True).filter(pk=message_id).first()
        if message is None:
            return SKIPPED
        message.attempts += 1
        try:
            with transaction.atomic():  # a savepoint: a failing handler's writes go, the attempt stays
                handler.run(message.payload)
        except Exception as exc:
            return _record_failure(message, handler, exc, now)
        _mark_delivered(message, now)
        return DELIVERED


def _deliver_with_lease(message_id: int, handler: registry.Handler) -> Outcome:
    now = timezone.now()
    lease_until = now + dt.timedelta(seconds=settings.MOTCUA_OUTBOX_LEASE_SECONDS)
    claimed = due(now).filter(pk=message_id).update(locked_until=lease_until, attempts=F("attempts") + 1)
    if not claimed:
        return SKIPPED
    payload = OutboxMessage.objects.values_list("payload", flat=True).get(pk=message_id)
    error = None
    try:
        handler.run(payload)
    except Exception as exc:
        error = exc
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id, status=MessageStatus.PENDING, locked_until=lease_until)
            .first()
        )
        if message is None:  # the lease ran out and another worker took over: its outcome counts
            return SKIPPED
        if error is not None:
            return _record_failure(message, handler, error, timezone.now())
        _mark_delivered(message, timezone.now())
        return DELIVERED


def _mark_delivered(message: OutboxMessage, now: dt.datetime) -> None:
    message.status = MessageStatus.DELIVERED
    message.delivered_at = now
    message.locked_until = None
    message.last_error = ""
    message.save(update_fields=["status", "delivered_at", "locked_until", "last_error", "attempts"])


def _record_failure(message: OutboxMessage, handler: registry.Handler, exc: Exception, now: dt.datetime) -> Outcome:
    """Keep the error; retry after a backoff, or give up after the last attempt (inside the caller's transaction)."""
    max_attempts = handler.max_attempts or settings.MOTCUA_OUTBOX_MAX_ATTEMPTS
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    message.locked_until = None
    context = {"outbox_message": message.pk, "handler": message.handler, "attempts": message.attempts}
    if message.attempts >= max_attempts:
        message.status = MessageStatus.DEAD
        message.save(update_fields=["status", "attempts", "locked_until", "last_error"])
        logger.error("outbox message given up after its last attempt", exc_info=exc, extra=context)
        if handler.on_dead is not None:
            try:
                with transaction.atomic():
                    handler.on_dead(message.payload)
            except Exception:
                logger.exception("outbox on_dead hook failed", extra=context)
        return Outcome("dead")
    retry_in = backoff_seconds(message.attempts)
    message.available_at = now + dt.timedelta(seconds=retry_in)
    message.save(update_fields=["attempts", "available_at", "locked_until", "last_error"])
    logger.warning("outbox message failed; it will be retried", exc_info=exc, extra={**context, "retry_in": retry_in})
    return Outcome("failed", retry_in=retry_in)


def _fail_unknown_handler(message_id: int, exc: LookupError) -> Outcome:
    """A message whose handler this version does not know (renamed, or a newer version queued it): kept for
    an operator, dead at once, since retrying cannot help until the code changes."""
    OutboxMessage.objects.filter(pk=message_id, status=MessageStatus.PENDING).update(
        status=MessageStatus.DEAD, last_error=str(exc)
    )
    logger.error("outbox message has no handler", extra={"outbox_message": message_id})
    return Outcome("dead")


def relay_due(*, batch: int = 200, budget_seconds: float = 50) -> dict[str, int]:
    """Deliver every message that is due, oldest first, for at most `budget_seconds` (the periodic relay:
    it finds what a lost wake-up, a dead worker or a full queue left behind)."""
    counts: dict[str, int] = {}
    stop_at = time.monotonic() + budget_seconds
    while time.monotonic() < stop_at:
        ids = list(due(timezone.now()).order_by("available_at", "pk").values_list("pk", flat=True)[:batch])
        progressed = False
        for message_id in ids:
            outcome = deliver(message_id=message_id)
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
            progressed = progressed or outcome is not SKIPPED
            if time.monotonic() >= stop_at:
                break
        if len(ids) < batch or not progressed:
            break
    return counts


def purge_delivered(*, older_than: dt.timedelta, now: dt.datetime | None = None, batch: int = 5000) -> int:
    """Delete delivered messages older than `older_than`, in batches (the record of a change is the change
    itself, e.g. the dossier's action log; the outbox only carried it)."""
    cutoff = (now or timezone.now()) - older_than
    deleted = 0
    while True:
        ids = list(
            OutboxMessage.objects.filter(status=MessageStatus.DELIVERED, delivered_at__lt=cutoff).values_list(
                "pk", flat=True
            )[:batch]
        )
        if not ids:
            return deleted
        deleted += OutboxMessage.objects.filter(pk__in=ids).delete()[0]
