"""The payments' periodic jobs on the task engine (huey): each calls one service function and nothing more.

huey's crontab is read in UTC (settings.HUEY leaves huey's `utc` on, its default): Việt Nam is UTC+7, so
06:00 in Hà Nội is 23:00 UTC the evening before.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from motcua.payments import services


@db_periodic_task(crontab(minute="*/5"))
def reconcile_pending_payments() -> int:
    """Every 5 minutes: ask the gateways about payments still pending, and apply their answers."""
    return len(services.reconcile_pending_payments())


@db_periodic_task(crontab(hour="23", minute="0"))  # 06:00 in Việt Nam (UTC+7)
def snapshot_daily_reconciliation() -> int:
    """Every morning: yesterday's reconciliation of each agency, kept, and its officers told of mismatches."""
    return len(services.snapshot_daily_reconciliation())
