"""Report II.06a in the back office, in a real browser: an officer chooses the agency and a quarter, reads the table
per field, then mistypes a custom period and is told what to fix. Every page is axe-checked at 375 and 1280 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from motcua.metrics.tests.ii06a_world import CIVIL_STATUS

pytestmark = pytest.mark.browser


def test_an_officer_reads_the_report_and_fixes_a_bad_period(site, world, november):
    site.log_in(world.leader)
    page = site.page
    site.visit("/backoffice/reports/ii06a/", "ii06a-this-month")
    expect(page.get_by_role("link", name="Báo cáo II.06a")).to_have_attribute("aria-current", "page")
    form = page.get_by_role("form", name="Chọn cơ quan và kỳ báo cáo")
    expect(form.get_by_role("radio", name="Tháng")).to_be_checked()
    form.get_by_role("radio", name="Từ ngày … đến ngày …").check()
    form.get_by_label("Từ ngày", exact=True).fill("2026-11-01")
    form.get_by_label("Đến ngày", exact=True).fill("2026-11-30")
    site.click_and_wait(form.get_by_role("button", name="Xem báo cáo"), "ii06a-november")
    expect(page.get_by_role("heading", level=2)).to_have_text("Ủy ban nhân dân Phường Hải Châu — Tháng 11 năm 2026")
    table = page.get_by_role("table", name="Số hồ sơ theo lĩnh vực, Tháng 11 năm 2026")
    for name in ("Hộ tịch", "Tổng cộng"):
        row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))
        assert row.get_by_role("cell").all_inner_texts()[1:] == [str(value) for value in CIVIL_STATUS]
    pdf = "/api/v1/reports/ii06a?agency=H17.20.194&from=2026-11-01&to=2026-11-30&format=pdf"
    expect(page.get_by_role("link", name="Tải bản in (PDF)")).to_have_attribute("href", pdf)

    form = page.get_by_role("form", name="Chọn cơ quan và kỳ báo cáo")
    form.get_by_role("radio", name="Từ ngày … đến ngày …").check()
    form.get_by_label("Từ ngày", exact=True).fill("2026-11-30")
    form.get_by_label("Đến ngày", exact=True).fill("2026-11-01")
    site.click_and_wait(form.get_by_role("button", name="Xem báo cáo"), "ii06a-bad-period", status=400)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Chưa lập được báo cáo: hãy sửa các mục được đánh dấu.")
    expect(alert).to_contain_text("Đến ngày: “Đến ngày” phải sau hoặc bằng “từ ngày”.")
    expect(page.get_by_label("Từ ngày", exact=True)).to_have_value("2026-11-30")
    expect(page.get_by_role("table")).to_have_count(0)
