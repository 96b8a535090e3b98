"""Document exchange in a real browser: the receiving agency's officer opens the package from the inbox and marks it
processed; the sender's officer sees it processed. Every page is axe-checked (WCAG 2.1 AA) at 375 and 1280 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from motcua.exchange.services import send_package
from motcua.exchange.tests.conftest import letter

pytestmark = pytest.mark.browser


def test_the_receiver_marks_a_letter_processed(site, world, settings, tmp_path):
    settings.MOTCUA_INSTANCE_KEY_FILE = str(tmp_path / "instance-key.pem")
    settings.MOTCUA_INSTANCE_CODE = "48"
    send_package(
        sender_agency=world.agency,
        recipient_agency_identifier=world.other_agency.identifier,
        recipient_instance="48",
        kind="cong_van",
        subject="Đề nghị xác minh hộ tịch",
        documents=[letter()],
        sent_by=world.reception,
    )  # committed: delivered in this process, with its receipt
    page = site.page

    site.log_in(world.other_officer)
    site.visit("/backoffice/exchange/", "exchange-inbox")
    site.click_and_wait(page.get_by_role("link", name="Đề nghị xác minh hộ tịch"), "exchange-package")
    form = page.get_by_role("form", name="Xử lý xong")
    form.get_by_label("Ghi chú cho bên gửi").fill("Đã xác minh, khớp sổ hộ tịch")
    site.click_and_wait(form.get_by_role("button", name="Xử lý xong"), "exchange-processed")
    expect(page.locator(".notice")).to_contain_text("Đã báo bên gửi")

    site.log_in(world.reception)
    site.visit("/backoffice/exchange/?direction=outgoing", "exchange-outbox")
    expect(page.get_by_role("row").filter(has_text="Đề nghị xác minh hộ tịch")).to_contain_text("Đã xử lý")
