"""The compliance-cost table of a procedure's page in a real browser: accessible (axe-core, WCAG 2.1 AA) and
readable at 375 px (the table scrolls inside its own region, never the page), photographed at 375 and 1280 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from motcua.catalog.tests.factories import publish_procedure
from motcua.regulations import defaults

pytestmark = pytest.mark.browser


def test_the_procedure_page_shows_the_compliance_cost_table(site):
    defaults.ensure()  # a transactional test empties the tables migrations filled
    publish_procedure(fees=[{"kind": "fee", "name": "Lệ phí đăng ký khai sinh", "amount": 8000, "online_amount": 4000}])
    site.visit("/procedures/1.001193/", "procedure")
    section = site.page.get_by_role("region", name="Chi phí tuân thủ ước tính: nộp giấy / trực tuyến").first
    expect(section).to_be_visible()
    total = site.page.get_by_role("row", name="Tổng chi phí quy ra tiền")
    expect(total).to_contain_text("188.500 đồng")
    expect(total).to_contain_text("52.250 đồng")
    expect(total).to_contain_text("136.250 đồng")
