"""Notifications arriving at the same moment, on real threads and connections: the gateway's retries race
each other, or the status query of the reconciliation job, and exactly one applies (row locks on PostgreSQL;
the write lock on SQLite)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.core.testing import run_together
from motcua.dossiers.models import ActionKind
from motcua.notify.models import Notification
from motcua.payments import services
from motcua.payments.gateways import vnpay
from motcua.payments.models import EventKind, PaymentStatus
from motcua.payments.tests.conftest import hmac512, notification

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


def test_the_ipn_and_the_status_query_at_once_apply_once(paying, monkeypatch):
    """VNPay's late IPN arrives while the 5-minute job asks VNPay about the same payment: whichever goes
    first applies, the other finds it paid; one confirmation, one notice to the applicant."""

    def querydr(url: str, body: dict, timeout: float) -> dict:
        answer = {
            "vnp_ResponseId": "q1", "vnp_Command": "querydr", "vnp_ResponseCode": "00", "vnp_Message": "Success",
            "vnp_TmnCode": body["vnp_TmnCode"], "vnp_TxnRef": body["vnp_TxnRef"], "vnp_Amount": "1000000",
            "vnp_PayDate": "20261123093512", "vnp_TransactionNo": "14226112", "vnp_TransactionStatus": "00",
        }  # fmt: skip
        answer["vnp_SecureHash"] = hmac512("|".join(answer.get(name, "") for name in vnpay.QUERY_RESPONSE_FIELDS))
        return answer

    monkeypatch.setattr(vnpay, "post_json", querydr)
    started = timezone.now() - dt.timedelta(minutes=12)
    payment, _url = services.start_payment(bill=paying.bill, gateway_code="vnpay", now=started)
    params = notification(payment)
    ipn, reconciled = run_together(
        [lambda: services.handle_notification(gateway="vnpay", params=params), services.reconcile_pending_payments]
    )
    assert not isinstance(ipn, Exception) and not isinstance(reconciled, Exception), (ipn, reconciled)
    # The job may also find the payment settled before asking: then it asks nothing.
    assert [ipn.code == "00", *(outcome.applied for outcome in reconciled)].count(True) == 1, (ipn, reconciled)
    assert ipn.code in ("00", "02") and all(outcome.code in ("00", "02") for outcome in reconciled)
    payment.refresh_from_db()
    paying.refresh()
    assert payment.status == PaymentStatus.PAID and paying.dossier.state == 4
    assert paying.dossier.actions.filter(kind=ActionKind.CONFIRM_PAYMENT).count() == 1
    told = Notification.objects.filter(user=paying.world.owner, body__contains=f"mã giao dịch {payment.txn_ref}")
    assert told.count() == 1
