"""Submit once, in a real browser (issue 10's journey): Hoa's birth registration is approved and signed, so the
birth certificate lands in her warehouse; she files "Cấp thẻ căn cước", which requires that certificate, with zero
uploads and a form pre-filled from it and from her account; an officer reads the new dossier; she shares the
certificate with her bank, which views it; she revokes the share; her access log shows both reads. Every page is
axe-checked at 375 and 1280 px (motcua/conftest.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from motcua.conftest import DEFAULT_VIEWPORT, CheckedPage
from motcua.documents.models import StoredDocument
from motcua.dossiers.models import ComponentSource, Dossier
from motcua.portal.tests.conftest import client_for

pytestmark = pytest.mark.browser

BANK = "Ngân hàng TMCP Công Thương Việt Nam"


def log_in(site, world) -> None:
    page = site.page
    site.visit("/accounts/login/", "login")
    page.get_by_label("Số định danh cá nhân").fill(world.owner.citizen_id)
    page.get_by_label("Mật khẩu").fill("mat-khau-an-toan-2026")
    site.click_and_wait(page.get_by_role("button", name="Đăng nhập"), "logged-in")


def test_a_citizen_files_once_shares_and_sees_every_read(
    site, world, birth_certificate, id_card, live_server, settings, chromium, axe_source
):
    settings.MOTCUA_SITE_URL = live_server.url
    page = site.page
    certificate = birth_certificate.title
    log_in(site, world)

    # The signed result is in her warehouse, verified.
    site.visit("/wallet/", "wallet")
    expect(page.get_by_role("region", name="Giấy tờ do cơ quan nhà nước cấp")).to_contain_text(certificate)

    # A second procedure that requires it: the form comes pre-filled, verified values read-only.
    files_before = StoredDocument.objects.filter(owner=world.owner).count()
    site.visit("/apply/2.000200/", "id-card-guide")
    site.click_and_wait(page.get_by_role("button", name="Bắt đầu khai hồ sơ"), "id-card-form")
    full_name = page.get_by_label("Họ, chữ đệm và tên")
    expect(full_name).to_have_value("Nguyễn Văn An")
    expect(full_name).to_have_attribute("readonly", "")
    expect(page.get_by_label("Ngày sinh")).to_have_value("2026-11-20")
    expect(page.locator("main")).to_contain_text("Đã xác thực: lấy từ Giấy khai sinh")
    # One click lets her account fill in the rest.
    site.click_and_wait(page.get_by_role("button", name="Đồng ý dùng dữ liệu trong kho"), "id-card-consented")
    expect(page.get_by_label("Số định danh cá nhân")).to_have_value(world.owner.citizen_id)
    site.click_and_wait(page.get_by_role("button", name="Tiếp tục"), "id-card-components")

    # The certificate is attached from the warehouse: nothing to upload.
    section = page.get_by_role("region", name=re.compile("Giấy khai sinh"))
    expect(section).to_contain_text("Từ kho dữ liệu, đã xác thực")
    expect(section).to_contain_text("bạn không cần tải lên")
    site.click_and_wait(page.get_by_role("link", name="Tiếp tục"), "id-card-review")
    expect(page.get_by_role("region", name=re.compile("Tờ khai"))).to_contain_text("Đã xác thực từ Giấy khai sinh")
    site.click_and_wait(page.get_by_role("button", name="Nộp hồ sơ"), "id-card-dossier")

    dossier = Dossier.objects.get(procedure_version=id_card)
    assert site.path == f"/dossiers/{dossier.code}/"
    assert StoredDocument.objects.filter(owner=world.owner).count() == files_before  # zero uploads
    [component] = dossier.components.all()
    assert (component.source, component.document_id) == (ComponentSource.REUSED, birth_certificate.document_id)
    assert dossier.form_data["full_name"] == "Nguyễn Văn An"

    # The one-stop desk opens the new dossier (a read of her data).
    assert client_for(world.reception).get(f"/backoffice/dossiers/{dossier.code}/").status_code == 200

    # She shares the certificate with her bank, which views it in a browser of its own.
    site.visit(f"/wallet/shares/?document={birth_certificate.pk}", "shares")
    form = page.get_by_role("region", name="Tạo lượt chia sẻ mới")
    form.get_by_label("Bên nhận").fill(BANK)
    form.get_by_label("Mục đích chia sẻ").fill("Mở tài khoản thanh toán")
    site.click_and_wait(form.get_by_role("button", name="Tạo mã chia sẻ"), "share-created")
    code = page.locator(".wallet-code").inner_text()
    context = chromium.new_context(locale="vi-VN", viewport=DEFAULT_VIEWPORT, service_workers="block")
    try:
        bank = CheckedPage(context.new_page(), live_server.url, axe_source, site.screenshot_dir / "bank")
        bank.visit(f"/shares/{code}/", "bank-waiting")
        bank.click_and_wait(bank.page.get_by_role("button", name="Xem giấy tờ"), "bank-documents")
        expect(bank.page.get_by_role("region", name=certificate)).to_contain_text(
            f"Đã xác thực bởi {world.agency.name}"
        )

        # She revokes it: the bank's link opens nothing any more.
        site.visit("/wallet/shares/", "shares-list")
        item = page.locator(".my-item", has_text=BANK)
        site.click_and_wait(item.get_by_role("button", name=re.compile("^Thu hồi")), "share-revoked")
        bank.visit(f"/shares/{code}/", "bank-revoked", status=404)
        expect(bank.page.locator("main")).not_to_contain_text(certificate)
        bank.assert_all_pages_checked()
    finally:
        context.close()

    # Her access log: the officer's read of the dossier and the bank's read of the certificate.
    site.visit("/wallet/access-log/", "access-log")
    officer_row = page.get_by_role("row", name=re.compile(re.escape(dossier.code)))
    expect(officer_row).to_contain_text(world.agency.name)
    expect(officer_row).to_contain_text("Cán bộ cơ quan nhà nước")
    bank_row = page.get_by_role("row", name=re.compile(re.escape(BANK)))
    expect(bank_row).to_contain_text(f"Xem giấy tờ được chia sẻ: {certificate}")
