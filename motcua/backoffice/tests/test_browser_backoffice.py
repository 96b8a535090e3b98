"""The back office in a real browser: an officer opens the worklist, opens a dossier, receives it and hands it
off to a specialist. Every page is axe-checked (WCAG 2.1 AA) at 375 and 1280 px (motcua/conftest.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from motcua.backoffice.tests.conftest import file_dossier
from motcua.dossiers.models import DossierState

pytestmark = pytest.mark.browser


def log_in(site, user) -> None:
    """The session of a force-logged-in test client, handed to the browser (the login pages have their own test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    site.page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site.base_url}])


def test_an_officer_receives_a_dossier_and_hands_it_off(site, world):
    dossier = file_dossier(world)
    log_in(site, world.reception)
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
