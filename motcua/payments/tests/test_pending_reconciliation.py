"""Đối chiếu giao dịch treo: payments still pending are asked about at their gateway every 5 minutes, and the
answer is applied as the notification that never came would have been (payment, bill, dossier, applicant's
notice), or the attempt expires. Nguyễn Thị Hoa pays the fees of her certified copies (10.000 đồng) at
Phường Hải Châu; the sandbox answers from its own memory, VNPay's merchant API from a signed fake (no network).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError

from motcua.dossiers.models import ActionKind, DossierState
from motcua.dossiers.tests.factories import at
from motcua.notify.models import Notification
from motcua.payments import services
from motcua.payments.gateways import GatewayError, get_gateway
from motcua.payments.gateways import vnpay as vnpay_module
from motcua.payments.gateways.base import gmt7_stamp
from motcua.payments.models import BillStatus, EventKind, Payment, PaymentStatus
from motcua.payments.tests.conftest import TMN_CODE, dossier_waiting_for_payment, hmac512, notification

STARTED = at(2026, 11, 23, 9, 30)


def minutes_later(minutes: int) -> dt.datetime:
    return STARTED + dt.timedelta(minutes=minutes)


def start(paying, gateway: str) -> Payment:
    payment, _url = services.start_payment(
        bill=paying.bill, gateway_code=gateway, client_ip="203.113.1.25", now=STARTED
    )
    return payment


def paid_notices(paying, payment: Payment) -> int:
    """What Hoa was told of this payment (the dossier's return to processing carries the receipt line)."""
    return Notification.objects.filter(
        user=paying.world.owner, body__contains=f"mã giao dịch {payment.txn_ref}"
    ).count()


def queries(payment: Payment) -> list[tuple[str, str]]:
    return list(payment.events.filter(kind=EventKind.QUERY).values_list("outcome", "detail"))


class MerchantApi:
    """VNPay's querydr, answering for one transaction with a body signed with the merchant's hash secret."""

    def __init__(self, *, status: str = "00", response: str = "00", amount: int = 10000, sign: bool = True):
        self.status, self.response, self.amount, self.sign = status, response, amount, sign
        self.calls: list[dict] = []
        self.down = False

    def __call__(self, url: str, body: dict, timeout: float) -> dict:
        self.calls.append(body)
        if self.down:
            raise GatewayError("VNPay API call failed: <urlopen error timed out>")
        assert body["vnp_Command"] == "querydr" and url.endswith("/merchant_webapi/api/transaction")
        answer = {
            "vnp_ResponseId": "5f1c2a", "vnp_Command": "querydr", "vnp_ResponseCode": self.response,
            "vnp_Message": "QueryDR Success" if self.response == "00" else "Transaction not found",
            "vnp_TmnCode": TMN_CODE, "vnp_TxnRef": body["vnp_TxnRef"], "vnp_Amount": str(self.amount * 100),
            "vnp_BankCode": "NCB", "vnp_PayDate": "20261123093512", "vnp_TransactionNo": "14226112",
            "vnp_TransactionType": "01", "vnp_TransactionStatus": self.status,
            "vnp_OrderInfo": body["vnp_OrderInfo"],
        }  # fmt: skip
        signed = "|".join(answer.get(name, "") for name in vnpay_module.QUERY_RESPONSE_FIELDS)
        answer["vnp_SecureHash"] = hmac512(signed) if self.sign else "0" * 128
        return answer


@pytest.fixture
def merchant_api(vnpay_api, monkeypatch) -> MerchantApi:
    api = MerchantApi()
    monkeypatch.setattr(vnpay_module, "post_json", api)
    return api


def ipn_fails_while_applying(monkeypatch, payment: Payment, *, paid: bool = True) -> str:
    """The sandbox sends its signed notification, and our database drops the connection while applying it."""
    gateway = get_gateway("sandbox")
    params = gateway.sign(
        {
            **gateway.notification_for({"sbx_TxnRef": payment.txn_ref, "sbx_Amount": str(payment.amount)}, paid=paid),
            "sbx_PayDate": gmt7_stamp(minutes_later(2)),
        }
    )

    def connection_lost(*targets):
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patch:
        patch.setattr(services, "lock_rows", connection_lost)
        return services.handle_notification(gateway="sandbox", params=params, now=minutes_later(2)).code


def test_a_payment_whose_notification_was_lost_is_found_paid_and_the_dossier_moves_on(paying, monkeypatch):
    payment = start(paying, "sandbox")
    assert ipn_fails_while_applying(monkeypatch, payment) == "99"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and paying.dossier.state == DossierState.PAYMENT_REQUESTED

    assert services.reconcile_pending_payments(now=minutes_later(9)) == []  # not yet 10 minutes: the IPN may come
    [outcome] = services.reconcile_pending_payments(now=minutes_later(11))

    assert (outcome.txn_ref, outcome.answer, outcome.code, outcome.applied) == (payment.txn_ref, "paid", "00", True)
    payment.refresh_from_db()
    paying.refresh()
    assert payment.status == PaymentStatus.PAID and payment.paid_at == minutes_later(2)
    assert payment.gateway_txn_no and paying.bill.status == BillStatus.PAID
    assert paying.dossier.state == DossierState.PROCESSING
    confirm = paying.dossier.actions.get(kind=ActionKind.CONFIRM_PAYMENT)
    assert confirm.data["txn_ref"] == payment.txn_ref and confirm.at == minutes_later(11)
    assert paid_notices(paying, payment) == 1
    assert queries(payment) == [("00", "paid; dossier returned to processing")]

    # Twice, and later: the payment is settled, nothing is asked or changed again.
    assert services.reconcile_pending_payments(now=minutes_later(11)) == []
    assert services.reconcile_pending_payments(now=minutes_later(40)) == []
    assert len(queries(payment)) == 1 and paid_notices(paying, payment) == 1
    assert paying.dossier.actions.filter(kind=ActionKind.CONFIRM_PAYMENT).count() == 1


def test_an_abandoned_payment_is_asked_again_then_expired_and_a_late_success_still_counts(paying):
    payment = start(paying, "sandbox")  # Hoa closes the sandbox's page without paying or cancelling

    [first] = services.reconcile_pending_payments(now=minutes_later(11))
    assert (first.answer, first.code, first.applied) == ("pending", "pending", False)
    assert services.reconcile_pending_payments(now=minutes_later(11)) == []  # run twice: nothing more
    assert services.reconcile_pending_payments(now=minutes_later(16)) == []  # asked 5 minutes ago: not yet

    [last] = services.reconcile_pending_payments(now=minutes_later(22))  # past the 15 minutes: asked once more
    assert (last.answer, last.code, last.applied, last.expired) == ("pending", "00", True, True)
    payment.refresh_from_db()
    paying.refresh()
    assert payment.status == PaymentStatus.FAILED
    assert paying.bill.status == BillStatus.OPEN and paying.dossier.state == DossierState.PAYMENT_REQUESTED
    assert queries(payment) == [
        ("pending", "gateway answered pending; asked again later"),
        ("00", "gateway answered pending: expired, not paid 15 minutes after it started"),
    ]
    assert services.reconcile_pending_payments(now=minutes_later(60)) == []

    # The gateway's success, however late, is the money taken: the payment is paid after all.
    gateway = get_gateway("sandbox")
    late = gateway.notification_for({"sbx_TxnRef": payment.txn_ref, "sbx_Amount": str(payment.amount)}, paid=True)
    assert services.handle_notification(gateway="sandbox", params=late, now=minutes_later(61)).code == "00"
    payment.refresh_from_db()
    paying.refresh()
    assert payment.status == PaymentStatus.PAID and paying.dossier.state == DossierState.PROCESSING


def test_a_cancellation_the_server_missed_marks_the_payment_failed(paying, monkeypatch):
    payment = start(paying, "sandbox")
    assert ipn_fails_while_applying(monkeypatch, payment, paid=False) == "99"
    [outcome] = services.reconcile_pending_payments(now=minutes_later(11))
    assert (outcome.answer, outcome.code, outcome.applied, outcome.expired) == ("failed", "00", True, False)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert queries(payment) == [("00", "gateway answered failed: failed")]


def test_vnpay_says_paid_when_its_notification_never_came(paying, merchant_api):
    payment = start(paying, "vnpay")
    [outcome] = services.reconcile_pending_payments(now=minutes_later(12))
    assert (outcome.answer, outcome.code, outcome.applied) == ("paid", "00", True)
    payment.refresh_from_db()
    paying.refresh()
    assert (payment.status, payment.gateway_txn_no) == (PaymentStatus.PAID, "14226112")
    assert payment.paid_at == at(2026, 11, 23, 9, 35) + dt.timedelta(seconds=12)  # vnp_PayDate, GMT+7
    assert paying.dossier.state == DossierState.PROCESSING and paid_notices(paying, payment) == 1
    [asked] = merchant_api.calls
    assert (asked["vnp_TxnRef"], asked["vnp_TransactionDate"]) == (payment.txn_ref, "20261123093000")
    event = payment.events.get(kind=EventKind.QUERY)
    assert event.raw["vnp_TransactionStatus"] == "00" and event.signature_valid

    # The IPN arrives at last: already confirmed, nothing applied twice.
    assert (
        services.handle_notification(gateway="vnpay", params=notification(payment), now=minutes_later(13)).code == "02"
    )
    assert paid_notices(paying, payment) == 1
    assert paying.dossier.actions.filter(kind=ActionKind.CONFIRM_PAYMENT).count() == 1


def test_vnpay_not_knowing_the_payment_expires_it_only_after_vnp_expire_date(paying, merchant_api, settings):
    settings.VNPAY_EXPIRE_MINUTES = 30
    merchant_api.response = "91"  # Hoa never reached VNPay's page
    payment = start(paying, "vnpay")
    [early] = services.reconcile_pending_payments(now=minutes_later(12))
    assert (early.answer, early.code, early.applied) == ("not_found", "unanswered", False)
    [late] = services.reconcile_pending_payments(now=minutes_later(31))
    assert (late.answer, late.code, late.expired) == ("not_found", "00", True)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert queries(payment)[-1] == (
        "00",
        "gateway answered not_found (Transaction not found): expired, not paid 30 minutes after it started",
    )


@pytest.mark.parametrize(
    ("api", "code", "detail"),
    [
        ({"down": True}, "unanswered", "query failed: VNPay API call failed: <urlopen error timed out>"),
        ({"sign": False}, "97", "gateway answered unknown (invalid checksum); bad signature; nothing changed"),
        ({"amount": 1000}, "04", "amount 1000 differs from 10000"),
    ],
)
def test_answers_that_change_nothing_are_kept_and_asked_again_later(paying, merchant_api, api, code, detail):
    for name, value in api.items():
        setattr(merchant_api, name, value)
    payment = start(paying, "vnpay")
    [outcome] = services.reconcile_pending_payments(now=minutes_later(40))  # past the expiry: no answer, no expiry
    assert (outcome.code, outcome.applied) == (code, False)
    payment.refresh_from_db()
    paying.refresh()
    assert payment.status == PaymentStatus.PENDING and paying.dossier.state == DossierState.PAYMENT_REQUESTED
    assert queries(payment) == [(code, detail)]
    assert services.reconcile_pending_payments(now=minutes_later(45)) == []
    assert len(services.reconcile_pending_payments(now=minutes_later(51))) == 1


def test_the_oldest_question_goes_first_and_a_run_asks_at_most_the_batch(paying, settings):
    world, version = paying.world, paying.version
    first = start(paying, "sandbox")
    _dossier, bill = dossier_waiting_for_payment(world, version)
    second, _url = services.start_payment(bill=bill, gateway_code="sandbox", now=minutes_later(1))
    settings.MOTCUA_PAYMENT_QUERY_BATCH = 1
    assert [o.txn_ref for o in services.reconcile_pending_payments(now=minutes_later(12))] == [first.txn_ref]
    assert [o.txn_ref for o in services.reconcile_pending_payments(now=minutes_later(13))] == [second.txn_ref]
    assert [o.txn_ref for o in services.reconcile_pending_payments(now=minutes_later(30))] == [first.txn_ref]


def test_payments_of_a_gateway_no_longer_enabled_are_left_alone(paying, settings):
    payment = start(paying, "vnpay")
    settings.MOTCUA_PAYMENT_GATEWAYS = ["sandbox"]
    assert services.reconcile_pending_payments(now=minutes_later(60)) == []
    assert queries(payment) == []


def test_a_run_out_of_time_leaves_the_rest_for_the_next_run(paying, monkeypatch):
    payment = start(paying, "sandbox")
    monkeypatch.setattr(services, "QUERY_RUN_SECONDS", -1)  # the time budget already spent on a slow gateway
    assert services.reconcile_pending_payments(now=minutes_later(11)) == []
    monkeypatch.setattr(services, "QUERY_RUN_SECONDS", 240)
    assert [o.txn_ref for o in services.reconcile_pending_payments(now=minutes_later(11))] == [payment.txn_ref]
