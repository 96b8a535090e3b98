"""The outbox on the task engine (huey): a wake-up per message after commit, and the periodic relay.

huey's own retries are not used: attempts, backoff and giving up are kept on the message in the database, so
they survive a lost queue, and an operator sees them in one place.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from motcua.events import delivery


@db_task()
def deliver_message(message_id: int) -> str:
    outcome = delivery.deliver(message_id=message_id)
    if outcome.retry_in:
        deliver_message.schedule(args=(message_id,), delay=outcome.retry_in)
    return outcome.status


@db_periodic_task(crontab(minute="*"))
def relay_outbox() -> dict[str, int]:
    """Every minute (and when a worker starts): deliver what is due and was not delivered by its wake-up."""
    return delivery.relay_due()


@db_periodic_task(crontab(hour="20", minute="40"))  # huey's crontab is in UTC: 03:40 in Việt Nam
def purge_delivered_messages() -> int:
    return delivery.purge_delivered(older_than=dt.timedelta(days=settings.MOTCUA_OUTBOX_KEEP_DAYS))
