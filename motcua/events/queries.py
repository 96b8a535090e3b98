"""Reads of the outbox for operators (health check, admin, the benchmark's "the outbox drains")."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min
from django.utils import timezone

from motcua.events.models import MessageStatus, OutboxMessage


def outbox_backlog() -> int:
    """Messages not delivered yet (waiting or being retried); dead ones are not counted."""
    return OutboxMessage.objects.filter(status=MessageStatus.PENDING).count()


def outbox_dead() -> int:
    """Messages given up on after their last attempt: an operator must look at them."""
    return OutboxMessage.objects.filter(status=MessageStatus.DEAD).count()


def outbox_summary(*, now: dt.datetime | None = None) -> dict:
    """Backlog, dead messages and the age of the oldest waiting one, in two queries."""
    now = now or timezone.now()
    pending = OutboxMessage.objects.filter(status=MessageStatus.PENDING).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    oldest = pending["oldest"]
    return {
        "backlog": pending["count"],
        "dead": outbox_dead(),
        "oldest_pending_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0,
    }
