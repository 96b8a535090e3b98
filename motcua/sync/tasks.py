"""The sender on the task engine: a push when changes are recorded, again after a failed push's backoff, and
every minute in case a wake-up was lost."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from motcua.sync import services


def push_now() -> services.PushSummary:
    """Push what is pending and schedule the next try if the portal failed or the budget ran out."""
    summary = services.push_pending()
    if summary.retry_in:
        push_changes.schedule(delay=summary.retry_in)
    return summary


@db_task()
def push_changes() -> str:
    summary = push_now()
    return summary.skipped or f"{summary.accepted + summary.duplicates}/{summary.sent}"


@db_periodic_task(crontab(minute="*"))
def push_changes_periodically() -> str:
    summary = push_now()
    return summary.skipped or f"{summary.accepted + summary.duplicates}/{summary.sent}"
