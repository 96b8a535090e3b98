"""The sandbox gateway's page in a real browser, with the site's Content-Security-Policy in force and axe-core
(WCAG 2.1 AA) at 375 and 1280 px (motcua/conftest.py): pay, and come back to the dossier in processing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from motcua.payments import services
from motcua.payments.models import PaymentStatus

pytestmark = pytest.mark.browser


def test_paying_on_the_sandbox_page(site, paying, live_server, settings):
    settings.MOTCUA_SITE_URL = live_server.url
    payment, url = services.start_payment(bill=paying.bill, gateway_code="sandbox")
    site.log_in(paying.world.owner)
    page = site.page

    site.visit(url, "sandbox-pay")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cổng thanh toán thử nghiệm")
    expect(page.locator(".facts")).to_contain_text("10.000 đồng")
    expect(page.get_by_role("button", name="Hủy giao dịch")).to_be_visible()

    site.click_and_wait(page.get_by_role("button", name="Thanh toán"), "dossier-after-payment")
    assert site.path == f"/dossiers/{paying.dossier.code}/"
    expect(page.locator(".notice")).to_contain_text(f"Thanh toán thành công. Mã giao dịch: {payment.txn_ref}.")
    payment.refresh_from_db()
    paying.refresh()
    assert payment.status == PaymentStatus.PAID and paying.dossier.state == 4
