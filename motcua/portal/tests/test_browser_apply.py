"""Applying online in a real browser: a citizen logs in from a procedure page, goes through guide → e-form →
components (a real PDF) → review → submit, and finds the dossier in "Hồ sơ của tôi"; then supplements what the
agency asks for, reads the notifications, and anyone looks the dossier up. Every page is axe-checked at 375 and
1280 px (motcua/conftest.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from motcua.dossiers.models import ActionKind, Dossier, DossierState, Draft
from motcua.dossiers.services import perform_action
from motcua.dossiers.tests.factories import PDF_BYTES

pytestmark = pytest.mark.browser


def test_a_citizen_applies_online_from_the_procedure_page(site, world):
    page = site.page
    site.visit("/procedures/1.001193/", "procedure")
    site.click_and_wait(page.get_by_role("link", name="Nộp hồ sơ trực tuyến"), "login")
    assert site.path == "/accounts/login/?next=/apply/1.001193/"
    page.get_by_label("Số định danh cá nhân").fill(world.owner.citizen_id)
    page.get_by_label("Mật khẩu").fill("mat-khau-an-toan-2026")
    site.click_and_wait(page.get_by_role("button", name="Đăng nhập"), "guide")

    # (a) Guide: what to prepare and where to file.
    assert site.path == "/apply/1.001193/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Chuẩn bị và chọn nơi nộp")
    expect(page.locator(".apply-list")).to_contain_text("Giấy chứng sinh")
    expect(page.get_by_label("Cơ quan tiếp nhận hồ sơ")).to_have_value(world.agency.identifier)
    site.click_and_wait(page.get_by_role("button", name="Bắt đầu khai hồ sơ"), "form")

    # (b) E-form: a missing answer is shown next to its field, and what was typed stays.
    assert site.path == "/apply/1.001193/form/"
    page.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Nguyễn Văn An")
    page.get_by_label("Ngày sinh").fill("2026-11-20")
    # With JavaScript, every change is saved in the background (apply.js).
    expect(page.locator("#autosave-status")).to_contain_text("Đã tự động lưu nháp")
    assert Draft.objects.get(applicant=world.owner).form_data["birth_date"] == "2026-11-20"
    site.click_and_wait(page.get_by_role("button", name="Tiếp tục"), "form-errors")
    expect(page.locator("#id_form-sex_error")).to_have_text("Trường này là bắt buộc.")
    expect(page.get_by_label("Họ, chữ đệm, tên của trẻ")).to_have_value("Nguyễn Văn An")
    assert Draft.objects.get(applicant=world.owner).form_data["child_name"] == "Nguyễn Văn An"
    page.get_by_label("Nam", exact=True).check()
    site.click_and_wait(page.get_by_role("button", name="Tiếp tục"), "components")

    # (c) Components: one real PDF per requirement.
    assert site.path == "/apply/1.001193/components/"
    for number, requirement in enumerate(world.version.components.order_by("position"), start=1):
        section = page.get_by_role("region", name=re.compile(re.escape(requirement.name)))
        section.get_by_label(f"Chọn tệp cho “{requirement.name}”").set_input_files(
            {"name": f"giay-to-{number}.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
        )
        site.click_and_wait(section.get_by_role("button", name=re.compile("^Tải lên")), f"uploaded-{number}")
        expect(page.get_by_role("region", name=re.compile(re.escape(requirement.name)))).to_contain_text(
            f"giay-to-{number}.pdf"
        )
    site.click_and_wait(page.get_by_role("link", name="Tiếp tục"), "review")

    # (d) Review, then submit.
    assert site.path == "/apply/1.001193/review/"
    facts = page.locator(".facts").first
    expect(facts).to_contain_text(world.agency.name)
    expect(page.get_by_role("region", name=re.compile("Tờ khai"))).to_contain_text("20/11/2026")
    site.click_and_wait(page.get_by_role("button", name="Nộp hồ sơ"), "dossier")

    dossier = Dossier.objects.get(applicant=world.owner)
    assert site.path == f"/dossiers/{dossier.code}/"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {dossier.code}")
    expect(page.locator(".notice")).to_contain_text(dossier.code)
    expect(page.locator(".my-timeline")).to_contain_text("Nộp hồ sơ trực tuyến")

    # "Hồ sơ của tôi" from the header lists it.
    header = page.get_by_role("navigation", name="Tài khoản")
    site.click_and_wait(header.get_by_role("link", name="Hồ sơ của tôi"), "my-dossiers")
    assert site.path == "/dossiers/"
    row = page.get_by_role("row", name=re.compile(re.escape(dossier.code)))
    expect(row).to_contain_text("Đăng ký khai sinh")
    expect(row).to_contain_text("Mới đăng ký")

    # The agency asks for a clearer birth certificate; the applicant sends it from the dossier page.
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE)
    perform_action(
        dossier_code=dossier.code, actor=world.reception, kind=ActionKind.REQUEST_SUPPLEMENT,
        missing=["Giấy chứng sinh bản rõ nét"],
    )  # fmt: skip
    site.click_and_wait(row.get_by_role("link", name=dossier.code), "dossier-supplement-requested")
    supplement = page.get_by_role("region", name="Cơ quan yêu cầu bổ sung hồ sơ")
    expect(supplement).to_contain_text("Giấy chứng sinh bản rõ nét")
    supplement.get_by_label("Giấy chứng sinh", exact=True).set_input_files(
        {"name": "chung-sinh-ro.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    site.click_and_wait(supplement.get_by_role("button", name="Gửi giấy tờ bổ sung"), "dossier-supplemented")
    expect(page.locator(".notice")).to_contain_text("Đã gửi giấy tờ bổ sung")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RECEIVED

    # Notifications, with their unread count in the header.
    site.click_and_wait(header.get_by_role("link", name=re.compile("^Thông báo")), "notifications")
    expect(page.locator(".my-item").first).to_contain_text(dossier.code)
    site.click_and_wait(page.get_by_role("button", name="Đánh dấu tất cả là đã đọc"), "notifications-read")
    expect(header.locator(".my-count")).to_have_count(0)

    # The withdrawal confirmation (not confirmed) and the empty drafts list.
    site.visit(f"/dossiers/{dossier.code}/withdraw/", "withdraw")
    expect(page.get_by_role("button", name="Xác nhận rút hồ sơ")).to_be_visible()
    site.visit("/drafts/", "drafts")

    # Anyone with the code and the last 4 digits sees the status.
    site.visit("/lookup/", "lookup")
    page.get_by_label("Mã hồ sơ").fill(dossier.code)
    page.get_by_label("4 số cuối").fill(world.owner.citizen_id[-4:])
    site.click_and_wait(page.get_by_role("button", name="Tra cứu"), "lookup-result")
    expect(page.get_by_role("region", name=f"Hồ sơ {dossier.code}")).to_contain_text("Được tiếp nhận")
