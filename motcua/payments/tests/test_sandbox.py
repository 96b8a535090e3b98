"""The sandbox gateway end to end through Django's test client: the applicant starts a payment, the sandbox's
own page renders (Vietnamese, no inline script or style), "Thanh toán" notifies the ledger as an IPN would,
the browser comes back to the return URL (display only), and the dossier is back in processing."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from motcua.dossiers.models import ActionKind
from motcua.payments import services
from motcua.payments.gateways import get_gateway
from motcua.payments.models import BillStatus, EventKind, Payment, PaymentStatus

HIDDEN = re.compile(r'<input type="hidden" name="(sbx_\w+)" value="([^"]*)">')


@pytest.fixture
def owner_client(client, paying):
    client.force_login(paying.world.owner)
    return client


def start(client, bill) -> str:
    response = client.post(f"/payments/bills/{bill.pk}/pay/", {"gateway": "sandbox"})
    assert response.status_code == 302
    return response["Location"]


def form_fields(page) -> dict[str, str]:
    return {name: unescape(value) for name, value in HIDDEN.findall(page.content.decode())}


def test_pay_on_the_sandbox_page_and_the_dossier_returns_to_processing(owner_client, paying):
    pay_url = start(owner_client, paying.bill)
    payment = Payment.objects.get(bill=paying.bill)
    assert pay_url.startswith(f"/payments/sandbox/pay/{payment.txn_ref}/?sbx_Amount=10000&")

    page = owner_client.get(pay_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="vi">' in html and "<h1>Cổng thanh toán thử nghiệm</h1>" in html
    assert "10.000 đồng" in html and payment.txn_ref in html and paying.dossier.code in html
    assert '<button type="submit" name="action" value="pay">Thanh toán</button>' in html
    assert "Hủy giao dịch" in html
    assert "<script" not in html and "style=" not in html and "<style" not in html
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp

    fields = form_fields(page)
    assert fields["sbx_TxnRef"] == payment.txn_ref and fields["sbx_SecureHash"]
    back = owner_client.post(f"/payments/sandbox/pay/{payment.txn_ref}/", {**fields, "action": "pay"})
    assert back.status_code == 302
    return_url = urlsplit(back["Location"])
    assert f"{return_url.scheme}://{return_url.netloc}{return_url.path}" == (
        "http://127.0.0.1:8000/payments/sandbox/return/"
    )
    assert dict(parse_qsl(return_url.query))["sbx_ResponseCode"] == "00"

    # The ledger changed on the sandbox's notification, before the browser came back.
    payment.refresh_from_db()
    paying.refresh()
    assert payment.status == PaymentStatus.PAID and payment.gateway_txn_no
    assert paying.bill.status == BillStatus.PAID and paying.dossier.state == 4
    assert paying.dossier.actions.filter(kind=ActionKind.CONFIRM_PAYMENT, actor_role="system").count() == 1

    shown = owner_client.get(back["Location"], follow=True)
    assert shown.redirect_chain[-1][0] == f"/dossiers/{paying.dossier.code}/"
    assert f"Thanh toán thành công. Mã giao dịch: {payment.txn_ref}." in shown.content.decode()
    kinds = list(payment.events.values_list("kind", "signature_valid", "outcome"))
    assert kinds == [("start", None, "redirected"), ("notification", True, "00"), ("return", True, "display")]

    # Pressing "Thanh toán" again (back button, double submit) confirms nothing twice.
    again = owner_client.post(f"/payments/sandbox/pay/{payment.txn_ref}/", {**fields, "action": "pay"})
    assert again.status_code == 302
    assert payment.events.filter(kind=EventKind.NOTIFICATION).last().outcome == "02"
    assert paying.dossier.actions.filter(kind=ActionKind.CONFIRM_PAYMENT).count() == 1


def test_cancel_then_pay_with_a_new_attempt(owner_client, paying):
    page = owner_client.get(start(owner_client, paying.bill))
    first = Payment.objects.get(bill=paying.bill)
    back = owner_client.post(f"/payments/sandbox/pay/{first.txn_ref}/", {**form_fields(page), "action": "cancel"})
    shown = owner_client.get(back["Location"], follow=True)
    assert f"Giao dịch chưa thanh toán (mã giao dịch {first.txn_ref})." in shown.content.decode()
    first.refresh_from_db()
    paying.refresh()
    assert first.status == PaymentStatus.FAILED and paying.bill.status == BillStatus.OPEN
    assert paying.dossier.state == 6

    page = owner_client.get(start(owner_client, paying.bill))
    second = Payment.objects.exclude(pk=first.pk).get(bill=paying.bill)
    owner_client.post(f"/payments/sandbox/pay/{second.txn_ref}/", {**form_fields(page), "action": "pay"})
    paying.refresh()
    assert paying.bill.status == BillStatus.PAID and paying.dossier.state == 4


@pytest.mark.parametrize(
    "tamper",
    [{"sbx_Amount": "1"}, {"sbx_ReturnUrl": "https://evil.example/steal/"}, {"sbx_SecureHash": "00"}],
)
def test_a_tampered_request_is_refused_and_changes_nothing(owner_client, paying, tamper):
    page = owner_client.get(start(owner_client, paying.bill))
    payment = Payment.objects.get(bill=paying.bill)
    response = owner_client.post(
        f"/payments/sandbox/pay/{payment.txn_ref}/", {**form_fields(page), **tamper, "action": "pay"}
    )
    assert response.status_code == 400 and "Yêu cầu thanh toán không hợp lệ" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert not payment.events.filter(kind=EventKind.NOTIFICATION).exists()


def test_a_request_signed_for_an_unsafe_return_url_is_refused(owner_client, paying):
    payment, url = services.start_payment(
        bill=paying.bill, gateway_code="sandbox", return_url="https://evil.example/steal/"
    )
    assert owner_client.get(url).status_code == 400


def test_a_request_for_another_txn_ref_is_refused(owner_client, paying):
    url = start(owner_client, paying.bill)
    payment = Payment.objects.get(bill=paying.bill)
    assert owner_client.get(url.replace(payment.txn_ref, "261123000000DEADBEEF", 1)).status_code == 400


def test_the_sandbox_is_off_when_not_enabled(owner_client, paying, settings):
    url = start(owner_client, paying.bill)
    settings.MOTCUA_PAYMENT_GATEWAYS = ["vnpay"]
    assert owner_client.get(url).status_code == 404


def test_the_sandbox_is_never_available_in_production(settings):
    settings.IS_PRODUCTION = True
    settings.MOTCUA_PAYMENT_GATEWAYS = ["sandbox"]
    with pytest.raises(Exception, match="never enabled in production"):
        get_gateway("sandbox")


def test_query_status_and_refund_on_the_sandbox(owner_client, paying):
    page = owner_client.get(start(owner_client, paying.bill))
    payment = Payment.objects.get(bill=paying.bill)
    assert services.query_payment(payment=payment).status == "pending"
    owner_client.post(f"/payments/sandbox/pay/{payment.txn_ref}/", {**form_fields(page), "action": "pay"})
    payment.refresh_from_db()
    result = services.query_payment(payment=payment)
    assert (result.status, result.amount, result.gateway_txn_no) == ("paid", 10000, payment.gateway_txn_no)
    refund = services.refund_payment(payment=payment, amount=10000, officer=paying.world.leader, reason="Rút hồ sơ")
    payment.refresh_from_db()
    assert refund.success and (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, 10000)
    assert list(payment.events.filter(kind__in=["query", "refund"]).values_list("kind", "outcome")) == [
        ("query", "pending"),
        ("query", "paid"),
        ("refund", "refunded"),
    ]
