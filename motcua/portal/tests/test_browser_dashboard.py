"""The public service-index pages in a real browser: the nation's page ranks the commune of the November world
(metrics/tests/test_rollups.py), its link opens the commune's page with the hand-computed points, a bad month is
an error with the month kept, and the back office's operations dashboard shows the desk officer the dossiers behind
a figure. Every page is axe-checked and photographed at 375 and 1280 px (motcua/conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from motcua.dossiers.tests.factories import at
from motcua.metrics import dashboards, queries, schemes, scoring
from motcua.metrics.tests import conftest as metrics_fixtures

# The November world (metrics/tests/test_rollups.py), as fixtures of this module.
counted = metrics_fixtures.counted
november = metrics_fixtures.november

pytestmark = pytest.mark.browser

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_the_service_index_in_a_browser(site, world, november, monkeypatch):
    monkeypatch.setattr(dashboards, "current_day", lambda: dt.date(2026, 12, 4))
    monkeypatch.setattr(dashboards, "current_time", lambda: at(2026, 11, 30, 17))
    expected = scoring.score(schemes.scheme_in_force(NOVEMBER[1]), queries.measures_for([world.agency.pk], *NOVEMBER))
    total = f"{expected.total:.2f}".replace(".", ",")
    page = site.page

    # The nation, November: the commune ranks first; its link keeps the period.
    site.visit("/service-index/?month=2026-11", "nation")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Toàn quốc · Tháng 11/2026")
    ranking = page.get_by_role("region", name="Xếp hạng các tỉnh, thành phố, bộ, ngành")
    expect(ranking.get_by_role("row", name=world.agency.name)).to_contain_text(total)
    expect(page.get_by_role("img", name="Tổng điểm chỉ số theo tháng (thang 100)")).to_be_visible()
    site.click_and_wait(ranking.get_by_role("link", name=world.agency.name), "commune")
    assert site.path == "/service-index/H17.20.194/?month=2026-11"
    expect(page.locator(".dash-total-value")).to_have_text(total)
    groups = page.get_by_role("region", name="Điểm theo nhóm chỉ số")
    expect(groups.get_by_role("row", name="TDGQ — Tiến độ giải quyết")).to_contain_text("14,25")
    expect(groups.get_by_role("row", name="CKMB — Công khai, minh bạch")).to_contain_text("Không áp dụng")
    # The trend's numbers are in a table behind a disclosure, the same as the chart's description.
    page.get_by_text("Bảng số liệu theo tháng", exact=True).click()
    expect(
        page.get_by_role("region", name="Bảng số liệu theo tháng").get_by_role("row", name="11/2026")
    ).to_contain_text(total)
    site.check_page("commune-trend-table")

    # A month that does not exist: the error, the month kept.
    page.get_by_label("Tháng", exact=True).fill("2026-13")
    site.click_and_wait(page.get_by_role("button", name="Xem"), "bad-month", status=400)
    expect(page.get_by_role("alert")).to_contain_text("Tháng không hợp lệ")
    expect(page.get_by_label("Tháng", exact=True)).to_have_value("2026-13")

    # The desk officer's operations dashboard: the late dossiers behind the figure, 3 of them.
    site.log_in(world.reception)
    site.visit("/backoffice/operations/?month=2026-11", "operations")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ủy ban nhân dân Phường Hải Châu · Tháng 11/2026")
    site.click_and_wait(page.get_by_role("link", name="3 — Giải quyết quá hạn: xem hồ sơ"), "operations-late")
    expect(page.locator(".dash-total-value")).to_have_text("3")
    expect(page.get_by_role("link", name=november["C"])).to_be_visible()
