"""The public catalogue in a real browser: search, browse, a procedure's page, language and the 404 page.

Every page visited goes through `site.visit` / `site.click_and_wait`, which run axe-core (WCAG 2.1 AA) and
take screenshots at 375 and 1280 px (see motcua/conftest.py).
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from motcua.catalog.models import AgencyKind
from motcua.catalog.tests.factories import AgencyFactory, ProvinceFactory, publish_procedure

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog():
    """Two civil-status procedures at commune level and one provincial judicial-record procedure."""
    province = ProvinceFactory()
    commune_pc = AgencyFactory(
        identifier="H17.80.01", name="Ủy ban nhân dân phường Hải Châu", kind=AgencyKind.COMMUNE_PC, unit=province
    )
    justice = AgencyFactory(
        identifier="H17.18", name="Sở Tư pháp thành phố Đà Nẵng", kind=AgencyKind.PROVINCIAL_DEPARTMENT, unit=province
    )
    birth = publish_procedure(
        steps_description="Bước 1: Nộp tờ khai trực tuyến.\nBước 2: Nhận giấy khai sinh điện tử.",
        requirements="Trẻ em sinh ra tại Việt Nam.",
    )
    foreign = publish_procedure(
        code="1.001695",
        name="Đăng ký khai sinh có yếu tố nước ngoài",
        service_level="partial",
        processing_time="3",
        steps=[
            {"name": "Tiếp nhận hồ sơ", "role": "reception", "duration": "0.5"},
            {"name": "Thẩm định", "role": "specialist", "duration": "2"},
            {"name": "Ký giấy khai sinh", "role": "leader", "duration": "0.5"},
        ],
        fees=[{"kind": "fee", "name": "Lệ phí đăng ký khai sinh có yếu tố nước ngoài", "amount": 75000}],
    )
    record = publish_procedure(
        code="2.001417",
        name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        field="ly-lich-tu-phap",
        field_name="Lý lịch tư pháp",
        levels=["province"],
        competent_agency_kind="provincial_department",
        competent_agency_name="Sở Tư pháp",
        processing_time="10",
        result_name="Phiếu lý lịch tư pháp",
        result_document_type=None,
        components=[{"name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "originals": 1}],
        fees=[{"kind": "charge", "name": "Phí cung cấp thông tin lý lịch tư pháp", "amount": 200000}],
        steps=[
            {"name": "Tiếp nhận hồ sơ", "role": "reception", "duration": "1"},
            {"name": "Tra cứu, xác minh", "role": "specialist", "duration": "8"},
            {"name": "Ký phiếu", "role": "leader", "duration": "1"},
        ],
        form={"fields": [{"key": "full_name", "label": "Họ và tên", "type": "text", "required": True}]},
        legal_basis=["Luật Lý lịch tư pháp số 28/2009/QH12"],
    )
    birth.procedure.agencies.add(commune_pc)
    foreign.procedure.agencies.add(commune_pc)
    record.procedure.agencies.add(justice)
    return {"birth": birth, "foreign": foreign, "record": record, "commune_pc": commune_pc, "justice": justice}


def result_names(site) -> list[str]:
    return [name.strip() for name in site.page.locator(".procedure-item h3").all_inner_texts()]


def test_home_page_shows_search_levels_and_fields(site, catalog):
    site.visit("/", "home")
    page = site.page
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dịch vụ công trực tuyến")
    expect(page.get_by_role("searchbox", name="Tìm thủ tục hành chính")).to_be_visible()
    levels = page.locator("section[aria-labelledby='levels-heading'] .tiles li")
    expect(levels.filter(has_text="Cấp xã")).to_contain_text("2 thủ tục")
    expect(levels.filter(has_text="Cấp tỉnh")).to_contain_text("1 thủ tục")
    fields = page.locator("section[aria-labelledby='fields-heading'] .tiles")
    expect(fields.get_by_role("link", name=re.compile("Hộ tịch"))).to_contain_text("2 thủ tục")
    expect(fields.get_by_role("link", name=re.compile("Lý lịch tư pháp"))).to_contain_text("1 thủ tục")


@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH"], ids=["unaccented", "upper-case"])
def test_search_from_the_home_page_puts_the_exact_name_first(site, catalog, query):
    site.visit("/", "home")
    site.page.get_by_role("searchbox", name="Tìm thủ tục hành chính").fill(query)
    site.click_and_wait(site.page.get_by_role("button", name="Tìm kiếm"), "results")

    assert site.path.startswith("/procedures/?q=")
    names = result_names(site)
    assert names[0] == "Đăng ký khai sinh"
    assert "Đăng ký khai sinh có yếu tố nước ngoài" in names
    assert "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" not in names
    expect(site.page.locator("#results-heading")).to_contain_text("2 thủ tục")
    # The query stays in the filter form, ready to refine.
    expect(site.page.locator(".filters input[name=q]")).to_have_value(query)

    site.click_and_wait(site.page.get_by_role("link", name="Đăng ký khai sinh", exact=True), "procedure")
    assert site.path == "/procedures/1.001193/"


def test_browse_by_field_tile(site, catalog):
    site.visit("/fields/", "fields")
    site.click_and_wait(site.page.locator(".tiles").get_by_role("link", name=re.compile("Lý lịch tư pháp")), "field")

    assert site.path == "/procedures/?field=ly-lich-tu-phap"
    assert result_names(site) == ["Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"]
    expect(site.page.get_by_label("Lĩnh vực")).to_have_value("ly-lich-tu-phap")


def test_browse_by_field_from_the_home_page(site, catalog):
    site.visit("/", "home")
    fields = site.page.locator("section[aria-labelledby='fields-heading'] .tiles")
    site.click_and_wait(fields.get_by_role("link", name=re.compile("Hộ tịch")), "field")

    assert site.path == "/procedures/?field=ho-tich"
    assert sorted(result_names(site)) == ["Đăng ký khai sinh", "Đăng ký khai sinh có yếu tố nước ngoài"]


def test_browse_by_level(site, catalog):
    site.visit("/procedures/?level=commune", "level-commune")
    assert sorted(result_names(site)) == ["Đăng ký khai sinh", "Đăng ký khai sinh có yếu tố nước ngoài"]
    expect(site.page.get_by_label("Cấp thực hiện")).to_have_value("commune")

    site.visit("/", "home")
    levels = site.page.locator("section[aria-labelledby='levels-heading'] .tiles")
    site.click_and_wait(levels.get_by_role("link", name=re.compile("Cấp tỉnh")), "level-province")
    assert site.path == "/procedures/?level=province"
    assert result_names(site) == ["Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"]


def test_browse_by_agency(site, catalog):
    site.visit("/", "home")
    main_nav = site.page.get_by_role("navigation", name="Điều hướng chính")
    site.click_and_wait(main_nav.get_by_role("link", name="Cơ quan"), "agencies")
    assert site.path == "/agencies/"
    expect(site.page.get_by_role("link", name="Cơ quan", exact=True)).to_have_attribute("aria-current", "page")
    expect(site.page.get_by_role("heading", name="Ủy ban nhân dân cấp xã", level=2)).to_be_visible()

    site.click_and_wait(site.page.get_by_role("link", name="Ủy ban nhân dân phường Hải Châu"), "agency")
    assert site.path == "/agencies/H17.80.01/"
    expect(site.page.get_by_role("heading", level=1)).to_have_text("Ủy ban nhân dân phường Hải Châu")
    expect(site.page.locator(".facts")).to_contain_text("H17.80.01")
    assert sorted(result_names(site)) == ["Đăng ký khai sinh", "Đăng ký khai sinh có yếu tố nước ngoài"]


def test_procedure_page_shows_everything_needed_to_apply(site, catalog):
    site.visit("/procedures/1.001193/", "procedure")
    page = site.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    expect(page.locator(".procedure > .meta")).to_contain_text("1.001193")
    expect(page.locator(".procedure > .meta .badge-full")).to_be_visible()
    facts = page.locator(".facts")
    expect(facts).to_contain_text("Hộ tịch")
    expect(facts).to_contain_text("Cấp xã")
    expect(facts).to_contain_text("Ủy ban nhân dân cấp xã")
    expect(facts).to_contain_text("Giấy khai sinh")

    components = page.get_by_role("region", name="Thành phần hồ sơ").locator("table")
    expect(components.locator("tbody tr")).to_have_count(2)
    expect(components).to_contain_text("Tờ khai đăng ký khai sinh")
    expect(components).to_contain_text("Giấy chứng sinh")
    expect(components).to_contain_text("Có thể dùng lại từ kho dữ liệu cá nhân")

    expect(page.locator(".fees")).to_contain_text("Lệ phí đăng ký khai sinh đúng hạn")
    expect(page.locator(".fees")).to_contain_text("Mọi trường hợp")
    expect(page.locator(".prose").first).to_contain_text("Bước 1: Nộp tờ khai trực tuyến.")
    steps = page.locator(".steps li")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text("Tiếp nhận hồ sơ")
    expect(steps.nth(2)).to_contain_text("Ký giấy khai sinh")
    form_fields = page.locator(".form-preview > li")
    expect(form_fields).to_have_count(3)
    expect(form_fields.nth(0)).to_contain_text("Họ, chữ đệm, tên của trẻ")
    expect(form_fields.nth(0)).to_contain_text("bắt buộc")
    expect(page.locator("section[aria-labelledby='legal-heading']")).to_contain_text("Luật Hộ tịch số 60/2014/QH13")

    # The receiving agencies sit in a <details>; opening it leads to the agency's page.
    page.get_by_text("1 cơ quan thực hiện").click()
    site.click_and_wait(page.get_by_role("link", name="Ủy ban nhân dân phường Hải Châu"), "agency")
    assert site.path == "/agencies/H17.80.01/"


def test_procedure_page_with_a_fee_and_a_partial_service_level(site, catalog):
    site.visit("/procedures/1.001695/", "procedure")
    expect(site.page.locator(".procedure > .meta .badge-partial")).to_be_visible()
    expect(site.page.locator(".fees")).to_contain_text("75.000")


def test_switching_to_english(site, catalog):
    site.visit("/procedures/1.001193/", "procedure-vi")
    expect(site.page.locator("html")).to_have_attribute("lang", "vi")
    switch = site.page.locator(".lang-switch").get_by_role("button")
    expect(switch).to_have_text("English")

    site.click_and_wait(switch, "procedure-en")

    assert site.path == "/procedures/1.001193/"
    expect(site.page.locator("html")).to_have_attribute("lang", "en")
    # Django's own name_local for "vi" is in decomposed Unicode (NFD), hence the normalisation.
    switch_back = site.page.locator(".lang-switch").get_by_role("button").inner_text()
    assert unicodedata.normalize("NFC", switch_back.strip()) == "Tiếng Việt"
    # The UI speaks English as far as the English catalogue goes (untranslated strings stay Vietnamese).
    with translation.override("en"):
        procedures_label = gettext("Thủ tục hành chính")
        components_label = gettext("Thành phần hồ sơ")
    nav = site.page.get_by_role("navigation").filter(has=site.page.locator("a[href='/procedures/']")).first
    expect(nav.get_by_role("link").first).to_have_text(procedures_label)
    expect(site.page.locator("#components-heading")).to_have_text(components_label)

    # The choice sticks for the next page.
    site.visit("/", "home-en")
    expect(site.page.locator("html")).to_have_attribute("lang", "en")


def test_unknown_procedure_shows_the_404_page(site, catalog):
    response = site.visit("/procedures/9.999999/", "not-found", status=404)
    assert response.status == 404
    expect(site.page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
    expect(site.page.get_by_role("link", name="Về trang chủ")).to_be_visible()


def test_the_harness_reports_accessibility_violations_and_unchecked_pages(site, catalog):
    """The check must be able to fail: a page with an unlabelled field and illegible text is refused."""
    from motcua.conftest import AccessibilityViolations

    site.visit("/", "home")
    site.page.evaluate(
        """() => {
          const main = document.querySelector('main');
          main.insertAdjacentHTML('beforeend', '<input type="text" id="harness-probe"><p id="faint">Chữ mờ</p>');
          // Through the CSSOM: the site's CSP (rightly) blocks inline style attributes.
          const faint = document.getElementById('faint');
          faint.style.color = '#ccc';
          faint.style.background = '#fff';
        }"""
    )
    with pytest.raises(AccessibilityViolations) as failure:
        site.check_page("home-broken")
    assert "label" in str(failure.value)
    assert "color-contrast" in str(failure.value)
    assert "#harness-probe" in str(failure.value)

    site.page.goto(site.url("/fields/"))  # a navigation that bypasses the check...
    with pytest.raises(AssertionError, match="without the accessibility check"):
        site.assert_all_pages_checked()  # ...is caught at teardown
    site.check_page("fields")

    # An inline script breaks the Content-Security-Policy: the harness reports it.
    site.page.evaluate(
        """() => {
          const script = document.createElement('script');
          script.textContent = 'window.x = 1';
          document.body.append(script);
        }"""
    )
    site.page.wait_for_timeout(200)
    with pytest.raises(AssertionError, match="Content-Security-Policy"):
        site.assert_all_pages_checked()
    site.page_errors.clear()
