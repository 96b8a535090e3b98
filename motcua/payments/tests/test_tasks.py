"""The payments' periodic jobs are registered with huey on the schedules intended, read in UTC as huey reads
them; and each runs its service (tests run tasks at once, in process)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from motcua.payments import services, tasks
from motcua.payments.models import PaymentStatus, ReconciliationSnapshot

VN = dt.timezone(dt.timedelta(hours=7))


def due_at(moment: dt.datetime) -> set[str]:
    """The periodic tasks the huey consumer starts at `moment` (it passes naive UTC when huey's `utc` is on)."""
    assert HUEY.utc, "huey reads crontabs in UTC here; the schedules below assume it"
    return {task.name for task in HUEY.read_periodic(moment.astimezone(dt.UTC).replace(tzinfo=None))}


def test_pending_payments_are_reconciled_every_five_minutes():
    assert "reconcile_pending_payments" in due_at(dt.datetime(2026, 11, 23, 9, 35, tzinfo=VN))
    assert "reconcile_pending_payments" in due_at(dt.datetime(2026, 11, 23, 0, 0, tzinfo=VN))
    assert "reconcile_pending_payments" not in due_at(dt.datetime(2026, 11, 23, 9, 36, tzinfo=VN))


def test_the_daily_reconciliation_runs_at_six_in_the_morning_in_viet_nam_only():
    day = [dt.datetime(2026, 11, 24, 0, 0, tzinfo=VN) + dt.timedelta(minutes=m) for m in range(24 * 60)]
    assert [m for m in day if "snapshot_daily_reconciliation" in due_at(m)] == [
        dt.datetime(2026, 11, 24, 6, 0, tzinfo=VN)
    ]


@pytest.mark.django_db
def test_the_tasks_call_their_services(paying):
    """Hoa opened the sandbox's page this time yesterday and never paid."""
    yesterday = timezone.now() - dt.timedelta(days=1)
    payment, _url = services.start_payment(bill=paying.bill, gateway_code="sandbox", now=yesterday)

    tasks.reconcile_pending_payments()  # queued and, in tests, run at once, at the real time
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED  # asked, still pending at the sandbox, long expired

    tasks.snapshot_daily_reconciliation()
    [kept] = ReconciliationSnapshot.objects.all()
    assert (kept.day, kept.gateway, kept.failed_count) == (timezone.localdate(yesterday, VN), "sandbox", 1)
