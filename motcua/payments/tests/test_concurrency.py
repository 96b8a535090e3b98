"""Notifications arriving at the same moment, on real threads and connections: the gateway's retries race
each other, and exactly one applies (row locks on PostgreSQL; the write lock on SQLite)."""

from __future__ import annotations

import pytest

from motcua.core.testing import run_together
from motcua.dossiers.models import ActionKind
from motcua.payments import services
from motcua.payments.models import EventKind, PaymentStatus
from motcua.payments.tests.conftest import notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_copies_of_one_notification_apply_once(paying):
    payment, _url = services.start_payment(bill=paying.bill, gateway_code="vnpay")
    params = notification(payment)
    results = run_together([lambda: services.handle_notification(gateway="vnpay", params=params)] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(outcome.code for outcome in results) == ["00", "02", "02", "02"]
    payment.refresh_from_db()
    paying.refresh()
    assert payment.status == PaymentStatus.PAID and paying.dossier.state == 4
    assert paying.dossier.actions.filter(kind=ActionKind.CONFIRM_PAYMENT).count() == 1
    assert payment.events.filter(kind=EventKind.NOTIFICATION).count() == 4


def test_a_success_and_a_failure_at_once_end_paid(paying):
    payment, _url = services.start_payment(bill=paying.bill, gateway_code="vnpay")
    success, failure = notification(payment), notification(payment, paid=False)
    results = run_together(
        [
            lambda: services.handle_notification(gateway="vnpay", params=success),
            lambda: services.handle_notification(gateway="vnpay", params=failure),
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[0].code == "00"  # a success is applied whether it came first or after the failure
    payment.refresh_from_db()
    paying.refresh()
    assert payment.status == PaymentStatus.PAID and paying.dossier.state == 4
