"""Writing to the outbox (hộp thư đi): the only way work leaves a transaction.

A message is written in the caller's transaction, so it exists exactly when the change it carries commits:
a rolled-back change leaves nothing to send, and a committed one is delivered even if the process dies a moment
later (the relay finds it). After commit a worker is woken at once; if waking fails, the relay still finds it.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from motcua.events import registry, tasks
from motcua.events.models import MessageStatus, OutboxMessage

logger = logging.getLogger(__name__)


def publish(*, event: str, payload: dict, key: str = "", now: dt.datetime | None = None) -> list[OutboxMessage]:
    """An event happened in the caller's transaction: queue one message for each handler subscribed to it.

    `key` (e.g. the action's id) makes a retried publish of the same event queue nothing new.
    """
    return [
        enqueue(handler=name, payload=payload, key=f"{event}:{key}" if key else "", now=now)
        for name in registry.subscribers(event)
    ]


def enqueue(*, handler: str, payload: dict, key: str = "", now: dt.datetime | None = None) -> OutboxMessage:
    """Queue work for one handler in the caller's transaction; the same (handler, key) is queued once."""
    registry.get_handler(handler)  # an unknown handler fails the change now, not in a worker later
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events.enqueue must run inside the transaction of the change it carries.")
    now = now or timezone.now()
    message = OutboxMessage(handler=handler, key=key, payload=payload, created_at=now, available_at=now)
    if key:
        # One statement whether or not it is new (INSERT ... ON CONFLICT DO NOTHING), then the row that won.
        OutboxMessage.objects.bulk_create([message], ignore_conflicts=True)
        message = OutboxMessage.objects.get(handler=handler, key=key)
    else:
        message.save(force_insert=True)
    if message.status == MessageStatus.PENDING:
        transaction.on_commit(partial(wake_worker, message_id=message.pk))
    return message


def wake_worker(*, message_id: int, delay: float = 0) -> None:
    """Ask the task engine to deliver a message now (or after `delay` seconds). Never raises: the message is
    safe in the database and the relay delivers it if the task queue cannot be reached."""
    try:
        if delay > 0:
            tasks.deliver_message.schedule(args=(message_id,), delay=delay)
        else:
            tasks.deliver_message(message_id)
    except Exception:  # a queue outage must not fail a change that has committed
        logger.warning("could not wake a worker; the relay will deliver it", extra={"outbox_message": message_id})


@transaction.atomic
def retry_dead(*, message_ids: list[int] | None = None, now: dt.datetime | None = None) -> int:
    """An operator retries messages that were given up on (all of them, or these): they start again."""
    now = now or timezone.now()
    dead = OutboxMessage.objects.filter(status=MessageStatus.DEAD)
    if message_ids is not None:
        dead = dead.filter(pk__in=message_ids)
    ids = list(dead.values_list("pk", flat=True))
    OutboxMessage.objects.filter(pk__in=ids).update(
        status=MessageStatus.PENDING, attempts=0, available_at=now, locked_until=None
    )
    for message_id in ids:
        transaction.on_commit(partial(wake_worker, message_id=message_id))
    return len(ids)
