"""Kho dữ liệu điện tử in a real browser: Hoa's birth certificate comes out of the real flow (approved, signed,
landed in her warehouse); she opens it, shares it with her bank and reads the code; the bank, in a browser of its
own and not logged in, types the code and views the documents; Hoa revokes the share, the bank's link is then a
404, and her access log shows the read. Every page is axe-checked at 375 and 1280 px (motcua/conftest.py)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from motcua.conftest import DEFAULT_VIEWPORT, CheckedPage
from motcua.dossiers.tests.factories import PDF_BYTES, pdf
from motcua.portal.tests.conftest import client_for
from motcua.wallet import services

pytestmark = pytest.mark.browser

BANK = "Ngân hàng TMCP Ngoại thương Việt Nam"


def test_wallet_pages_in_a_browser(site, world, birth_certificate, live_server, settings, chromium, axe_source):
    settings.MOTCUA_SITE_URL = live_server.url
    services.add_uploaded_document(
        owner=world.owner, upload=pdf("ho-chieu.pdf"), title="Bản sao hộ chiếu", document_type=None
    )
    cookie = client_for(world.owner).cookies[django_settings.SESSION_COOKIE_NAME]
    site.page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site.base_url}])
    page = site.page
    title = birth_certificate.title

    # The warehouse: the issued certificate and the uploaded copy, in their own groups.
    site.visit("/", "home")
    site.click_and_wait(
        page.get_by_role("navigation", name="Tài khoản").get_by_role("link", name="Kho dữ liệu"), "wallet"
    )
    issued = page.get_by_role("region", name="Giấy tờ do cơ quan nhà nước cấp")
    expect(issued).to_contain_text(title)
    expect(issued).to_contain_text("Đã xác thực")
    expect(page.get_by_role("region", name="Giấy tờ bạn tự tải lên")).to_contain_text("Bản tự tải lên, chưa xác thực")

    # An upload with no title keeps the chosen type and says what is missing.
    upload = page.get_by_role("region", name="Tải giấy tờ lên kho dữ liệu")
    upload.get_by_label("Tệp giấy tờ").set_input_files(
        {"name": "bang.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    site.click_and_wait(upload.get_by_role("button", name="Tải lên"), "wallet-upload-error", status=422)
    expect(page.get_by_role("alert")).to_contain_text("Hãy nhập tên giấy tờ.")

    # One document, its data and its verification page.
    site.click_and_wait(issued.get_by_role("link", name=title), "document")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("region", name="Dữ liệu của giấy tờ")).to_contain_text("Nguyễn Văn An")
    expect(page.get_by_role("link", name="Trang xác thực kết quả")).to_have_attribute(
        "href", f"/verify/{birth_certificate.issued_reference}/"
    )

    # Share it with the bank: a missing purpose first (what was typed stays), then the code, shown once.
    site.click_and_wait(page.get_by_role("link", name="Chia sẻ giấy tờ này"), "shares")
    form = page.get_by_role("region", name="Tạo lượt chia sẻ mới")
    expect(form.get_by_role("checkbox", name=re.compile(re.escape(title)))).to_be_checked()
    form.get_by_label("Bên nhận").fill(BANK)
    site.click_and_wait(form.get_by_role("button", name="Tạo mã chia sẻ"), "shares-error", status=422)
    expect(page.locator("#wallet-purpose-error")).to_have_text("Hãy nêu mục đích chia sẻ.")
    expect(page.get_by_label("Bên nhận")).to_have_value(BANK)
    page.get_by_label("Mục đích chia sẻ").fill("Thẩm định hồ sơ vay mua nhà")
    site.click_and_wait(page.get_by_role("button", name="Tạo mã chia sẻ"), "share-created")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã tạo mã chia sẻ")
    code = page.locator(".wallet-code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    expect(page.locator(".wallet-link")).to_have_text(f"{live_server.url}/shares/{code}/")

    # The bank, in a browser of its own, not logged in.
    context = chromium.new_context(locale="vi-VN", viewport=DEFAULT_VIEWPORT, service_workers="block")
    try:
        bank = CheckedPage(context.new_page(), live_server.url, axe_source, site.screenshot_dir / "bank")
        bank.visit("/shares/", "bank-entry")
        bank.page.get_by_label("Mã chia sẻ").fill(code.lower().replace("-", " "))
        bank.click_and_wait(bank.page.get_by_role("button", name="Tiếp tục"), "bank-waiting")
        assert bank.path == f"/shares/{code}/"
        expect(bank.page.locator("main")).not_to_contain_text(title)
        bank.click_and_wait(bank.page.get_by_role("button", name="Xem giấy tờ"), "bank-documents")
        shared = bank.page.get_by_role("region", name=title)
        expect(shared).to_contain_text(f"Đã xác thực bởi {world.agency.name}")
        expect(bank.page.get_by_role("region", name="Bản sao hộ chiếu")).to_have_count(0)
        expect(bank.page.locator(".facts").first).to_contain_text(world.owner.full_name)
        with bank.page.expect_download() as download:
            shared.get_by_role("link", name=re.compile("^Tải tệp")).click()
        assert download.value.suggested_filename.endswith(".pdf")

        # Hoa revokes the share; the bank's link then opens nothing.
        site.visit("/wallet/shares/", "shares-list")
        item = page.locator(".my-item", has_text=BANK)
        expect(item).to_contain_text("Đã xem 1/3 lần")
        site.click_and_wait(item.get_by_role("button", name=re.compile("^Thu hồi")), "shares-revoked")
        expect(page.locator(".notice")).to_contain_text("Đã thu hồi lượt chia sẻ")
        expect(page.locator(".my-item", has_text=BANK)).to_contain_text("Đã thu hồi")
        bank.visit(f"/shares/{code}/", "bank-revoked", status=404)
        expect(bank.page.locator("main")).not_to_contain_text(title)
        bank.assert_all_pages_checked()
    finally:
        context.close()

    # Her access log shows the bank's read and its download.
    site.click_and_wait(page.get_by_role("link", name="Nhật ký truy cập dữ liệu"), "access-log")
    rows = page.get_by_role("row", name=re.compile(re.escape(BANK)))
    expect(rows.filter(has_text=f"Xem giấy tờ được chia sẻ: {title}")).to_have_count(1)
    expect(rows.filter(has_text=f"Tải tệp giấy tờ được chia sẻ: {title}")).to_have_count(1)
    expect(rows.first).to_contain_text("Bên nhận chia sẻ")
