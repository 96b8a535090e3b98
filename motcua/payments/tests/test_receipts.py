"""Biên lai điện tử: a paid payment's receipt is a PDF signed by the dossier's agency that says what was paid,
how and when; its applicant, the agency's officers and operators can download it, nobody else can."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from motcua.accounts.models import User, UserKind
from motcua.dossiers.tests.factories import at
from motcua.payments import queries, services
from motcua.payments.gateways import get_gateway
from motcua.payments.gateways.base import gmt7_stamp
from motcua.payments.models import Payment, PaymentStatus
from motcua.payments.receipts import NoReceipt, render_receipt
from motcua.payments.tests.conftest import notification
from motcua.signing.pades import validate_pdf


@pytest.fixture(autouse=True)
def pki_dir(settings, tmp_path):
    """Keys and certificates of a test live in its own directory, never in var/."""
    settings.MOTCUA_PKI_DIR = tmp_path / "pki"
    settings.MOTCUA_SIGNING_PKCS12 = ""
    settings.MOTCUA_SIGNING_TRUST_ROOTS = []
    return settings.MOTCUA_PKI_DIR


def text_of(pdf: bytes) -> str:
    """The PDF's text through poppler's pdftotext, with runs of white space made one space."""
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install Debian's poppler-utils (make system-deps)", pytrace=False)
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


def assert_contains(text: str, *expected: str) -> None:
    missing = [item for item in expected if item not in text]
    assert not missing, f"missing {missing} in: {text}"


def pay_at_sandbox(bill, *, paid: bool = True, paid_at: dt.datetime | None = None) -> Payment:
    """The applicant starts a payment and the sandbox gateway notifies the ledger, signed, as its page does."""
    payment, url = services.start_payment(bill=bill, gateway_code="sandbox", now=paid_at)
    gateway = get_gateway("sandbox")
    request = gateway.read_request(dict(parse_qsl(urlsplit(url).query)))
    params = gateway.notification_for(request, paid=paid)
    if paid_at is not None:
        params = gateway.sign({**params, "sbx_PayDate": gmt7_stamp(paid_at)})
    outcome = services.handle_notification(gateway="sandbox", params=params, now=paid_at)
    assert outcome.code == services.CONFIRMED, outcome
    payment.refresh_from_db()
    return payment


@pytest.fixture
def paid(paying) -> Payment:
    payment = pay_at_sandbox(paying.bill, paid_at=at(2026, 11, 23, 9, 35))
    assert payment.status == PaymentStatus.PAID and payment.gateway_txn_no
    return payment


@pytest.fixture
def operator(db) -> User:
    return User.objects.create_user(username="vanhanh", password="mat-khau-an-toan-2026", kind=UserKind.OPERATOR)


def test_the_receipt_is_signed_by_the_agency_and_says_what_was_paid(paying, paid):
    pdf = render_receipt(paid)

    check = validate_pdf(pdf)
    assert check.valid, check
    assert len(check.signatures) == 1 and check.signatures[0].signer_identifier == "H17.20.194"
    text = text_of(pdf)
    assert_contains(
        text,
        "ỦY BAN NHÂN DÂN PHƯỜNG HẢI CHÂU",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Hải Châu, ngày 23 tháng 11 năm 2026",
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        f"Số: {paid.txn_ref}",
        f"Mã hồ sơ: {paying.dossier.code}",
        "Người nộp: Nguyễn Thị Hoa",
        "Số định danh cá nhân: 048190001234",
        "Lệ phí: Lệ phí chứng thực bản sao",  # the lines' names wrap in their cells
        "(từ trang thứ ba)",
        "Thông tư số 226/2016/TT-BTC",
        "8.000 đồng",
        "2.000 đồng",
        "Tổng số tiền phải nộp",
        "Số tiền đã thu: 10.000 đồng.",
        "Đã thanh toán trực tuyến qua cổng thanh toán thử nghiệm",
        f"mã giao dịch tại cổng: {paid.gateway_txn_no}",
        "09:35:00 ngày 23/11/2026",
        "Đã ký số",  # the visible stamp
    )
    assert "Đã hoàn trả" not in text


def test_a_vnpay_receipt_names_the_gateway_and_shows_a_refund(paying):
    payment, _url = services.start_payment(bill=paying.bill, gateway_code="vnpay", client_ip="203.113.1.25")
    assert services.handle_notification(gateway="vnpay", params=notification(payment)).code == services.CONFIRMED
    payment.refresh_from_db()
    services.refund_payment(payment=payment, amount=4000, officer=paying.world.leader, reason="Thu thừa một bản")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED

    pdf = render_receipt(payment)
    assert validate_pdf(pdf).valid
    assert_contains(
        text_of(pdf),
        payment.txn_ref,
        "Đã thanh toán trực tuyến qua cổng VNPay, mã giao dịch tại cổng: 14226112",
        "09:35:12 ngày 23/11/2026",  # vnp_PayDate, Vietnam time
        "Đã hoàn trả cho người nộp: 4.000 đồng; số tiền cơ quan giữ lại: 6.000 đồng.",
    )


@pytest.mark.parametrize("paid_flag", [None, False], ids=["pending", "failed"])
def test_a_payment_that_was_not_paid_has_no_receipt(paying, paid_flag):
    if paid_flag is None:
        payment, _url = services.start_payment(bill=paying.bill, gateway_code="sandbox")
    else:
        payment = pay_at_sandbox(paying.bill, paid=False)
    with pytest.raises(NoReceipt):
        render_receipt(payment)
    client = Client()
    client.force_login(paying.world.owner)
    assert client.get(f"/payments/receipts/{payment.txn_ref}.pdf").status_code == 404


@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 200),
        ("specialist", 200),
        ("leader", 200),
        ("operator", 200),
        ("other_citizen", 404),
        ("other_officer", 404),
    ],
)
def test_who_may_download_a_receipt(paying, paid, operator, who, status):
    user = operator if who == "operator" else getattr(paying.world, who)
    client = Client()
    client.force_login(user)
    response = client.get(f"/payments/receipts/{paid.txn_ref}.pdf")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'inline; filename="bien-lai-{paid.txn_ref}.pdf"'
        assert "no-store" in response["Cache-Control"]
        assert validate_pdf(response.content).valid


def test_anonymous_visitors_are_sent_to_log_in_and_unknown_receipts_are_not_found(paying, paid):
    response = Client().get(f"/payments/receipts/{paid.txn_ref}.pdf")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/payments/receipts/")
    client = Client()
    client.force_login(paying.world.owner)
    assert client.get("/payments/receipts/261123000000DEADBEEF.pdf").status_code == 404


def test_receipts_for_lists_paid_and_refunded_payments_in_one_query(paying, django_assert_num_queries):
    pending, _url = services.start_payment(bill=paying.bill, gateway_code="sandbox", now=at(2026, 11, 23, 8, 55))
    failed = pay_at_sandbox(paying.bill, paid=False, paid_at=at(2026, 11, 23, 9))
    paid = pay_at_sandbox(paying.bill, paid_at=at(2026, 11, 23, 9, 5))
    with django_assert_num_queries(1):
        receipts = queries.receipts_for(paying.dossier)
    assert [payment.txn_ref for payment in receipts] == [paid.txn_ref]
    assert receipts[0].gateway_name == "Cổng thanh toán thử nghiệm"
    assert {pending.txn_ref, failed.txn_ref}.isdisjoint(payment.txn_ref for payment in receipts)


def test_the_back_office_dossier_page_lists_payments_with_receipt_links(client, paying):
    failed = pay_at_sandbox(paying.bill, paid=False, paid_at=at(2026, 11, 23, 9))
    paid = pay_at_sandbox(paying.bill, paid_at=at(2026, 11, 23, 9, 5))
    client.force_login(paying.world.specialist)
    html = client.get(f"/backoffice/dossiers/{paying.dossier.code}/").content.decode()
    assert 'aria-labelledby="payments-heading"' in html and "Thanh toán phí, lệ phí" in html
    assert f'<th scope="row">{failed.txn_ref}</th>' in html and f'<th scope="row">{paid.txn_ref}</th>' in html
    assert f'href="/payments/receipts/{paid.txn_ref}.pdf"' in html
    assert f'href="/payments/receipts/{failed.txn_ref}.pdf"' not in html
    assert "Không thành công" in html and "Đã thanh toán" in html and "10.000" in html
