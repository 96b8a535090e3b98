"""The VNPay IPN endpoint and the ledger: one reply per case, every notification kept, rejected ones change
nothing, and a notification applied before the server died is not applied again when the gateway retries."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from motcua.dossiers.models import ActionKind, DossierAction
from motcua.notify.models import Notification
from motcua.payments import services
from motcua.payments.models import BillStatus, EventKind, Payment, PaymentEvent, PaymentStatus
from motcua.payments.tests.conftest import notification

IPN = "/payments/vnpay/ipn/"


@pytest.fixture
def payment(paying) -> Payment:
    payment, _url = services.start_payment(bill=paying.bill, gateway_code="vnpay", client_ip="203.113.1.25")
    return payment


def ipn(client, params: dict[str, str]) -> dict:
    response = client.get(f"{IPN}?{urlencode(params)}")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def ledger(paying, payment) -> tuple:
    """Everything a notification could change."""
    payment.refresh_from_db()
    paying.refresh()
    return (
        payment.status,
        payment.paid_at,
        payment.gateway_txn_no,
        paying.bill.status,
        paying.dossier.state,
        paying.dossier.revision,
        DossierAction.objects.filter(dossier=paying.dossier).count(),
        Notification.objects.count(),
    )


def events(payment) -> list[tuple]:
    return list(
        PaymentEvent.objects.filter(txn_ref=payment.txn_ref, kind=EventKind.NOTIFICATION).values_list(
            "signature_valid", "outcome"
        )
    )


def test_success_pays_the_bill_and_returns_the_dossier_to_processing(client, paying, payment):
    assert ipn(client, notification(payment)) == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    paying.refresh()
    assert payment.status == PaymentStatus.PAID and payment.gateway_txn_no == "14226112"
    assert payment.paid_at is not None and paying.bill.status == BillStatus.PAID
    assert paying.dossier.state == 4
    confirm = paying.dossier.actions.get(kind=ActionKind.CONFIRM_PAYMENT)
    assert confirm.actor is None and confirm.actor_role == "system"
    assert confirm.idempotency_key == f"payment:{payment.txn_ref}"
    assert confirm.comment == f"Đã nhận 10.000 đồng qua VNPay, mã giao dịch {payment.txn_ref}."
    assert events(payment) == [(True, "00")]
    event = payment.events.get(kind=EventKind.NOTIFICATION)
    assert event.raw["vnp_TransactionNo"] == "14226112" and "dossier returned to processing" in event.detail
    assert list(payment.events.values_list("kind", flat=True)) == ["start", "notification"]


MESSAGES = {"97": "Invalid signature", "01": "Order not found", "04": "Invalid amount"}


@pytest.mark.parametrize(
    ("name", "make", "code"),
    [
        ("forged", lambda p: {**notification(p), "vnp_Amount": "100"}, "97"),
        ("no signature", lambda p: {k: v for k, v in notification(p).items() if k != "vnp_SecureHash"}, "97"),
        ("another merchant", lambda p: notification(p, vnp_TmnCode="KHAC0001"), "97"),
        ("unknown", lambda p: notification(p, vnp_TxnRef="261123000000DEADBEEF"), "01"),
        ("wrong amount", lambda p: notification(p, amount=1000), "04"),
        ("amount not in xu", lambda p: notification(p, vnp_Amount="1000050"), "04"),
    ],
)
def test_rejected_notifications_change_nothing_and_are_kept(client, paying, payment, name, make, code):
    before = ledger(paying, payment)
    params = make(payment)
    assert ipn(client, params) == {"RspCode": code, "Message": MESSAGES[code]}
    assert ledger(paying, payment) == before
    assert payment.status == PaymentStatus.PENDING and paying.dossier.state == 6
    event = PaymentEvent.objects.get(kind=EventKind.NOTIFICATION)
    assert event.outcome == code and event.raw == params
    assert event.signature_valid is (code != "97")
    # Only a notification that is ours and signed is tied to the payment.
    assert event.payment_id == (payment.pk if code == "04" else None)


def test_a_duplicate_answers_02_and_changes_nothing(client, paying, payment):
    params = notification(payment)
    assert ipn(client, params)["RspCode"] == "00"
    after_first = ledger(paying, payment)
    assert ipn(client, params) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert ledger(paying, payment) == after_first
    assert events(payment) == [(True, "00"), (True, "02")]
    assert paying.dossier.actions.filter(kind=ActionKind.CONFIRM_PAYMENT).count() == 1


def test_a_replay_after_a_refund_answers_02_and_changes_nothing(client, paying, payment):
    params = notification(payment)
    assert ipn(client, params)["RspCode"] == "00"
    services.refund_payment(payment=payment, amount=4000, officer=paying.world.leader, reason="Thu thừa 2 trang")
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, 4000)
    before = ledger(paying, payment)
    assert ipn(client, params)["RspCode"] == "02"
    assert ledger(paying, payment) == before
    payment.refresh_from_db()
    assert payment.refunded_amount == 4000


def test_a_failure_after_a_success_is_ignored(client, paying, payment):
    assert ipn(client, notification(payment))["RspCode"] == "00"
    before = ledger(paying, payment)
    assert ipn(client, notification(payment, paid=False))["RspCode"] == "02"
    assert ledger(paying, payment) == before and payment.status == PaymentStatus.PAID
    assert "out of order" in payment.events.order_by("-pk").first().detail


def test_a_failure_fails_the_attempt_and_keeps_the_bill_open(client, paying, payment):
    assert ipn(client, notification(payment, paid=False))["RspCode"] == "00"
    payment.refresh_from_db()
    paying.refresh()
    assert payment.status == PaymentStatus.FAILED and payment.paid_at is None
    assert paying.bill.status == BillStatus.OPEN and paying.dossier.state == 6
    assert ipn(client, notification(payment, paid=False))["RspCode"] == "02"
    # The money was taken after all (VNPay's word, signed): the payment is paid.
    assert ipn(client, notification(payment))["RspCode"] == "00"
    paying.refresh()
    assert paying.bill.status == BillStatus.PAID and paying.dossier.state == 4


def test_a_second_attempt_paid_for_an_already_paid_bill_is_kept_and_flagged(client, paying, payment):
    second, _url = services.start_payment(bill=paying.bill, gateway_code="vnpay")
    assert ipn(client, notification(payment))["RspCode"] == "00"
    assert ipn(client, notification(second))["RspCode"] == "00"
    second.refresh_from_db()
    assert second.status == PaymentStatus.PAID
    assert "refund needed" in second.events.get(kind=EventKind.NOTIFICATION).detail
    assert paying.dossier.actions.filter(kind=ActionKind.CONFIRM_PAYMENT).count() == 1


def test_a_server_killed_after_commit_loses_nothing_and_the_retry_applies_nothing_twice(client, paying, payment):
    params = notification(payment)
    # The notification is applied and committed; the process dies before the reply leaves.
    services.handle_notification(gateway="vnpay", params=params)
    applied = ledger(paying, payment)
    assert applied[0] == PaymentStatus.PAID and applied[4] == 4
    # VNPay got no answer, so it sends the same notification again.
    assert ipn(client, params)["RspCode"] == "02"
    assert ledger(paying, payment) == applied
    assert paying.dossier.actions.filter(kind=ActionKind.CONFIRM_PAYMENT).count() == 1


def test_a_failure_inside_the_transaction_applies_nothing_and_the_retry_succeeds(client, paying, payment, monkeypatch):
    params = notification(payment)
    before = ledger(paying, payment)

    def crash(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_after_bill_paid", crash)
    assert ipn(client, params) == {"RspCode": "99", "Message": "Unknown error"}
    assert ledger(paying, payment) == before
    monkeypatch.undo()
    assert ipn(client, params)["RspCode"] == "00"
    assert events(payment) == [(True, "99"), (True, "00")]
    assert ledger(paying, payment)[4] == 4


def test_the_gateway_confirmation_is_a_system_action_in_the_dossier_log(client, paying, payment):
    params = notification(payment)
    assert ipn(client, params)["RspCode"] == "00"
    assert ipn(client, params)["RspCode"] == "02"  # the gateway's retry changes nothing
    paying.refresh()
    confirmations = paying.dossier.actions.filter(kind=ActionKind.CONFIRM_PAYMENT)
    assert confirmations.count() == 1
    confirmation = confirmations.get()
    assert confirmation.actor is None and confirmation.actor_role == "system"
    assert confirmation.data["txn_ref"] == payment.txn_ref and confirmation.data["amount"] == payment.amount
    assert paying.dossier.state == 4


def test_the_ipn_answers_99_when_vnpay_is_not_enabled(client, paying, payment, settings):
    params = notification(payment)
    settings.MOTCUA_PAYMENT_GATEWAYS = ["sandbox"]
    assert ipn(client, params)["RspCode"] == "99"
    assert PaymentEvent.objects.filter(kind=EventKind.NOTIFICATION, outcome="99").count() == 1


def test_junk_in_the_signature_is_a_bad_checksum_not_a_crash(client, paying, payment):
    assert ipn(client, {**notification(payment), "vnp_SecureHash": "chữ ký giả"})["RspCode"] == "97"
    assert ipn(client, {})["RspCode"] == "97"


def test_the_ipn_takes_only_get(client, paying, payment):
    assert client.post(IPN, notification(payment)).status_code == 405


def test_the_return_url_is_display_only(client, paying, payment):
    client.force_login(paying.world.owner)
    response = client.get(f"/payments/vnpay/return/?{urlencode(notification(payment))}")
    assert response.status_code == 302 and response["Location"] == f"/dossiers/{paying.dossier.code}/"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING  # the browser's word changes nothing
    assert list(payment.events.values_list("kind", "outcome")) == [("start", "redirected"), ("return", "display")]
    page = client.get(response["Location"])
    assert "đang chờ xác nhận của cổng" in page.content.decode()

    forged = {**notification(payment), "vnp_Amount": "1"}
    response = client.get(f"/payments/vnpay/return/?{urlencode(forged)}")
    assert response["Location"] == "/dossiers/"
    assert payment.events.count() == 2


def test_start_is_for_the_owner_only_and_goes_to_vnpay(client, paying):
    url = f"/payments/bills/{paying.bill.pk}/pay/"
    client.force_login(paying.world.other_citizen)
    assert client.post(url, {"gateway": "vnpay"}).status_code == 404
    client.force_login(paying.world.owner)
    assert client.get(url).status_code == 405
    assert client.post(url, {"gateway": "napas"}).status_code == 404
    response = client.post(url, {"gateway": "vnpay"}, REMOTE_ADDR="203.113.1.25")
    assert response.status_code == 302
    assert response["Location"].startswith("https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?vnp_Amount=1000000&")
    assert "vnp_IpAddr=203.113.1.25" in response["Location"]
    assert "vnp_ReturnUrl=http%3A%2F%2F127.0.0.1%3A8000%2Fpayments%2Fvnpay%2Freturn%2F" in response["Location"]
    payment = Payment.objects.get(bill=paying.bill)
    assert payment.amount == 10000 and payment.status == PaymentStatus.PENDING and payment.gateway == "vnpay"
    assert payment.events.get().raw["redirect_url"] == response["Location"]


def test_refunds_need_a_leader_and_a_paid_payment(client, paying, payment):
    with pytest.raises(services.PaymentInvalid):
        services.refund_payment(payment=payment, amount=1000, officer=paying.world.leader, reason="Thử")
    assert ipn(client, notification(payment))["RspCode"] == "00"
    with pytest.raises(services.PaymentInvalid):
        services.refund_payment(payment=payment, amount=1000, officer=paying.world.specialist, reason="Thử")
    with pytest.raises(services.PaymentInvalid):
        services.refund_payment(payment=payment, amount=10001, officer=paying.world.leader, reason="Thử")
