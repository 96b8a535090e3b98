"""Dữ liệu cá nhân của tôi in a real browser: Nguyễn Thị Hoa gives consent and withdraws it, opens the printable
record, asks for a correction (after a deletion refused for want of its confirmation), and visits the download
page. Every page is axe-checked at 375 and 1280 px (motcua/conftest.py); the download itself is checked in
test_privacy_pages.py."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from motcua.wallet import services
from motcua.wallet.models import Consent, RightsRequest, RightsRequestKind, RightsRequestStatus

pytestmark = pytest.mark.browser

REUSE_NAME = "Tái sử dụng dữ liệu trong kho để điền sẵn hồ sơ"


def test_privacy_pages_in_a_browser(site, world):
    page = site.page
    site.log_in(world.owner)

    # From "Tài khoản của tôi" to the privacy page: nothing is consented, nothing is ticked.
    site.visit("/accounts/me/", "account")
    site.click_and_wait(page.get_by_role("link", name="Dữ liệu cá nhân của tôi"), "overview")
    assert site.path == "/privacy/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Dữ liệu cá nhân của tôi")
    expect(page.locator("input:checked")).to_have_count(0)
    reuse = page.locator(".my-item", has=page.get_by_role("heading", name=REUSE_NAME))
    expect(reuse).to_contain_text("Chưa đồng ý")

    # Consent, with one button.
    site.click_and_wait(reuse.get_by_role("button", name=re.compile("^Tôi đồng ý")), "consent-given")
    expect(page.locator(".notice")).to_contain_text(f"Đã ghi nhận sự đồng ý của bạn: “{REUSE_NAME}”.")
    expect(reuse).to_contain_text("Đã đồng ý lúc")
    consent = Consent.objects.get(subject=world.owner)
    assert consent.withdrawn_at is None

    # The printable record.
    site.click_and_wait(reuse.get_by_role("link", name=re.compile("^Bản ghi để in")), "consent-record")
    assert site.path == f"/privacy/consents/{consent.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bản ghi sự đồng ý số {consent.pk}")
    expect(page.locator(".facts")).to_contain_text("048190001234")
    expect(page.locator(".my-comment")).to_contain_text(consent.statement)
    expect(page.locator(".hint").first).to_contain_text("Ctrl+P")

    # Withdrawn as easily: the record stays, marked withdrawn.
    site.click_and_wait(page.get_by_role("link", name="Quay lại trang dữ liệu cá nhân"), "overview-again")
    site.click_and_wait(reuse.get_by_role("button", name=re.compile("^Rút lại sự đồng ý")), "consent-withdrawn")
    expect(page.locator(".notice")).to_contain_text("Đã rút lại sự đồng ý")
    expect(reuse).to_contain_text("Đã rút lại lúc")
    expect(reuse.get_by_role("button", name=re.compile("^Tôi đồng ý"))).to_be_visible()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None

    # Requests: a deletion without its confirmation is refused and keeps what was typed …
    site.click_and_wait(page.get_by_role("link", name="Yêu cầu về dữ liệu cá nhân"), "requests")
    form = page.locator("form.apply-form")
    form.get_by_label("Loại yêu cầu").select_option(label="Xóa dữ liệu")
    form.get_by_label("Nội dung yêu cầu").fill("Xóa giấy tờ tôi đã tải lên.")
    site.click_and_wait(form.get_by_role("button", name="Gửi yêu cầu"), "requests-deletion-unconfirmed")
    expect(page.get_by_role("alert")).to_contain_text("Hãy đánh dấu ô xác nhận để gửi yêu cầu xóa dữ liệu.")
    expect(page.get_by_label("Nội dung yêu cầu")).to_have_value("Xóa giấy tờ tôi đã tải lên.")
    assert not RightsRequest.objects.exists()

    # … and a correction goes through, with its deadline.
    form = page.locator("form.apply-form")
    form.get_by_label("Loại yêu cầu").select_option(label="Chỉnh sửa dữ liệu")
    form.get_by_label("Nội dung yêu cầu").fill("Số điện thoại đúng là 0905 123 456.")
    site.click_and_wait(form.get_by_role("button", name="Gửi yêu cầu"), "requests-sent")
    expect(page.locator(".notice")).to_contain_text("Đã gửi yêu cầu. Hạn trả lời:")
    sent = page.locator(".my-item", has_text="Số điện thoại đúng là 0905 123 456.")
    expect(sent).to_contain_text("Chỉnh sửa dữ liệu")
    expect(sent).to_contain_text("Đã tiếp nhận")
    request = RightsRequest.objects.get(subject=world.owner)
    assert request.kind == RightsRequestKind.CORRECTION and request.status == RightsRequestStatus.RECEIVED

    # A restriction in force and a done deletion read well too (made through the services; the pages' own
    # forms for them are tested in test_privacy_pages.py).
    services.submit_rights_request(subject=world.owner, kind=RightsRequestKind.RESTRICTION, details="")
    services.submit_rights_request(subject=world.owner, kind=RightsRequestKind.DELETION, details="")
    site.visit("/privacy/requests/", "requests-restricted-and-deleted")
    expect(page.get_by_role("region", name="Đang hạn chế xử lý dữ liệu")).to_be_visible()
    expect(page.locator(".my-item").first).to_contain_text("Được giữ lại, và vì sao")

    # The download page says what the ZIP holds.
    site.visit("/privacy/", "overview-end")
    site.click_and_wait(page.get_by_role("link", name="Tải về toàn bộ dữ liệu của tôi"), "export")
    assert site.path == "/privacy/export/"
    expect(page.locator(".facts")).to_contain_text("wallet_documents.json")
    expect(page.get_by_role("button", name="Tải về (tệp ZIP)")).to_be_visible()
