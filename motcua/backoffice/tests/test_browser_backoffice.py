"""The back office in a real browser: an officer opens the worklist, opens a dossier, receives it and hands it
off to a specialist. Every page is axe-checked (WCAG 2.1 AA) at 375 and 1280 px (motcua/conftest.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from motcua.backoffice.tests.conftest import file_dossier
from motcua.catalog.queries import procedure_document
from motcua.catalog.schemas import ProcedureDoc
from motcua.catalog.services import publish_draft, save_draft
from motcua.dossiers.models import Dossier, DossierState
from motcua.dossiers.tests.factories import PDF_BYTES

pytestmark = pytest.mark.browser


def test_an_officer_receives_a_dossier_and_hands_it_off(site, world):
    dossier = file_dossier(world)
    site.log_in(world.reception)
    page = site.page

    site.visit("/backoffice/", "worklist-mine")
    expect(page.get_by_role("heading", level=1)).to_have_text("Danh sách hồ sơ")
    tabs = page.get_by_role("navigation", name="Danh sách việc")
    expect(tabs.get_by_role("link", name="Của tôi 0")).to_have_attribute("aria-current", "page")
    site.click_and_wait(tabs.get_by_role("link", name="Chờ nhận/xử lý 1"), "worklist-queue")
    row = page.get_by_role("row").filter(has_text=dossier.code)
    expect(row).to_contain_text("Nguyễn Thị Hoa")
    expect(row).to_contain_text("Mới đăng ký")

    site.click_and_wait(row.get_by_role("link", name=dossier.code), "dossier-submitted")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {dossier.code}")
    expect(page.get_by_role("region", name="Tờ khai (biểu mẫu điện tử)")).to_contain_text("Nguyễn Văn An")

    receive = page.get_by_role("form", name="Tiếp nhận hồ sơ")
    site.click_and_wait(receive.get_by_role("button", name="Tiếp nhận hồ sơ"), "dossier-received")
    expect(page.locator(".notice")).to_contain_text(f"Đã thực hiện “Tiếp nhận hồ sơ” với hồ sơ {dossier.code}.")
    expect(page.locator(".bo-status")).to_contain_text("Được tiếp nhận")

    hand_off = page.get_by_role("form", name="Chuyển bước xử lý")
    expect(hand_off).to_contain_text("Sang bước: Thẩm định, trình ký (Chuyên viên xử lý)")
    hand_off.get_by_label("Cán bộ nhận").select_option(label="Chuyenvien (chuyenvien)")
    hand_off.get_by_label("Ý kiến (không bắt buộc)").fill("Hồ sơ đủ, chuyển thẩm định.")
    site.click_and_wait(hand_off.get_by_role("button", name="Chuyển bước xử lý"), "dossier-handed-off")
    expect(page.locator(".bo-status")).to_contain_text("Đang xử lý")
    timeline = page.get_by_role("region", name="Quá trình xử lý")
    expect(timeline).to_contain_text("Hồ sơ đủ, chuyển thẩm định.")
    expect(timeline).to_contain_text("Giao cho: Chuyenvien")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.PROCESSING and dossier.assignee == world.specialist


def test_the_desk_registers_a_walk_in_dossier_from_its_paper_form_and_scans(site, world):
    """Direct registration: the one-stop form with every e-form part (fields, an address, a table), a first
    attempt with mistakes that keeps what was typed, then the scans and the dossier received at once."""
    doc = procedure_document(world.version).model_dump(mode="json")
    doc["form"]["fields"] += [
        {"key": "home", "label": "Nơi cư trú", "type": "address"},
        {
            "key": "witnesses", "label": "Người làm chứng", "type": "table",
            "columns": [
                {"key": "name", "label": "Họ tên", "type": "text", "required": True},
                {"key": "born", "label": "Ngày sinh", "type": "date"},
            ],
        },
    ]  # fmt: skip
    save_draft(doc=ProcedureDoc.model_validate(doc))
    version = publish_draft(procedure_code=doc["code"])  # a new version of the procedure, with the longer form
    site.log_in(world.reception)
    page = site.page

    site.visit("/backoffice/register/", "register-choose")
    page.get_by_label("Thủ tục").select_option("1.001193")
    site.click_and_wait(page.get_by_role("button", name="Mở tờ khai"), "register-form")
    expect(page.get_by_role("heading", level=2, name="Đăng ký khai sinh")).to_be_visible()
    page.get_by_label("Số định danh cá nhân của người nộp").fill("048195007777")
    page.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Lê Thị Mai")
    page.get_by_label("Ngày sinh (bắt buộc)").fill("2026-11-20")
    page.get_by_label("Ngày sinh, dòng 1").fill("1990-01-02")

    # Mistakes: a new citizen without a name, a witness row without a name, no sex, no scans.
    site.click_and_wait(page.get_by_role("button", name="Tiếp nhận hồ sơ"), "register-errors")
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.get_by_label("Họ, chữ đệm, tên của trẻ")).to_have_value("Lê Thị Mai")
    expect(page.locator(".bo-warning")).to_contain_text("hãy chọn lại các tệp")

    page.get_by_label("Họ và tên", exact=True).fill("Lê Văn Tám")
    page.get_by_label("Nữ", exact=True).check()
    page.get_by_label("Họ tên, dòng 1").fill("Trần Văn Bình")
    for number, requirement in enumerate(version.components.order_by("position"), start=1):
        page.get_by_label(f"{requirement.name} (bắt buộc)", exact=True).set_input_files(
            {"name": f"scan-{number}.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
        )
    site.click_and_wait(page.get_by_role("button", name="Tiếp nhận hồ sơ"), "registered")
    dossier = Dossier.objects.get(applicant__username="048195007777")
    assert site.path == f"/backoffice/dossiers/{dossier.code}/"
    expect(page.locator(".notice")).to_contain_text(f"Đã tiếp nhận hồ sơ {dossier.code}.")
    assert dossier.state == DossierState.RECEIVED
    assert dossier.form_data["witnesses"] == [{"name": "Trần Văn Bình", "born": "1990-01-02"}]

    # The walk-in gets an activation code for the account the desk created, and sets a password with it.
    site.click_and_wait(page.get_by_role("button", name="Cấp mã kích hoạt tài khoản"), "activation-code")
    code = page.locator(".claim-code").inner_text()
    page.context.clear_cookies()
    site.visit("/accounts/login/", "citizen-login")
    site.click_and_wait(page.get_by_role("link", name="Kích hoạt tài khoản"), "claim")
    page.get_by_label("Số định danh cá nhân").fill("048195007777")
    page.get_by_label("Mã kích hoạt").fill(code)
    page.get_by_label("Mật khẩu", exact=True).fill("Hai-Chau-2026-mat-khau")
    page.get_by_label("Nhập lại mật khẩu").fill("Hai-Chau-2026-mat-khau")
    site.click_and_wait(page.get_by_role("button", name="Kích hoạt và đăng nhập"), "claimed")
    assert site.path == "/dossiers/"
    expect(page.get_by_role("main")).to_contain_text(dossier.code)
