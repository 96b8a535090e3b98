"""Status sync in a real browser: an operator reads the connector's page and the national page, and a visitor
looks the dossier up on the national portal (this development instance is its own, through the loopback
connector). Every page is axe-checked (WCAG 2.1 AA) at 375 and 1280 px (motcua/conftest.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from motcua.accounts.models import User, UserKind
from motcua.backoffice.tests.conftest import file_dossier
from motcua.sync.models import RecordStatus, SyncRecord

pytestmark = pytest.mark.browser


def test_an_operator_follows_the_sync_and_a_visitor_looks_up_the_dossier(site, world, settings, tmp_path):
    settings.MOTCUA_INSTANCE_KEY_FILE = str(tmp_path / "instance-key.pem")
    settings.MOTCUA_SYNC_CONNECTOR = "loopback"
    dossier = file_dossier(world)  # committed: the outbox records the change and pushes it
    assert SyncRecord.objects.get(dossier=dossier).status == RecordStatus.ACCEPTED
    operator = User.objects.create_user(username="vanhanh", password="mat-khau-an-toan-2026", kind=UserKind.OPERATOR)
    page = site.page

    site.log_in(operator)
    site.visit("/backoffice/sync/", "sync")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đồng bộ Cổng Dịch vụ công quốc gia")
    expect(page.get_by_role("region", name="Các lần gửi gần nhất")).to_contain_text("Đã gửi")
    site.click_and_wait(page.get_by_role("link", name="Tình hình đồng bộ của các hệ thống (Cổng quốc gia)"), "national")
    expect(page.get_by_role("table").first).to_contain_text("48 — 48")

    site.log_in(None)
    site.visit("/national/lookup/", "national-lookup")
    page.get_by_label("Mã hồ sơ").fill(dossier.code)
    page.get_by_label("4 số cuối số định danh cá nhân hoặc mã số thuế của chủ hồ sơ").fill(
        dossier.applicant_identifier[-4:]
    )
    site.click_and_wait(page.get_by_role("button", name="Tra cứu"), "national-lookup-found")
    expect(page.get_by_role("heading", name=f"Hồ sơ {dossier.code}")).to_be_visible()
    expect(page.locator(".my-state")).to_have_text("Mới đăng ký")
