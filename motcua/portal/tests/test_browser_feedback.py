"""Satisfaction and feedback in a real browser: Hoa rates her returned birth registration; a visitor, in a browser
of their own and not logged in, sends a petition and reads the tracking code; the ward's desk officer answers it
and publishes the answer cleared of personal data; the visitor reads the answer with the code, and the public
answers page shows it without the sender's name or contact. Every page is axe-checked at 375 and 1280 px
(motcua/conftest.py)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from motcua.conftest import DEFAULT_VIEWPORT, CheckedPage
from motcua.feedback import defaults
from motcua.feedback.models import Feedback, Rating
from motcua.feedback.tests.conftest import returned
from motcua.portal.tests.conftest import client_for

pytestmark = pytest.mark.browser

SENDER = "Lê Văn Cường"
QUESTION = "Tôi (Lê Văn Cường, 0905 123 456) được hẹn trả kết quả nhưng đến nơi chưa có."


def sign_in(page, base_url: str, user) -> None:
    """The session of a force-logged-in test client, handed to the browser (the login pages have their own test)."""
    cookie = client_for(user).cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def test_rating_and_feedback_in_a_browser(site, world, live_server, settings, tmp_path, chromium, axe_source):
    settings.MOTCUA_SITE_URL = live_server.url
    settings.MOTCUA_PKI_DIR = tmp_path / "pki"
    settings.MOTCUA_SIGNING_PKCS12 = ""
    settings.MOTCUA_SIGNING_TRUST_ROOTS = []
    defaults.ensure()  # a transactional test empties the tables migrations filled
    dossier = returned(world)
    page = site.page

    # Hoa rates her returned dossier: nothing chosen first (what she typed stays), then "very satisfied".
    sign_in(page, site.base_url, world.owner)
    site.visit(f"/dossiers/{dossier.code}/", "dossier-returned")
    rating = page.get_by_role("region", name="Đánh giá mức độ hài lòng")
    rating.get_by_label("Góp ý (nếu có)").fill("Cán bộ hướng dẫn tận tình.")
    site.click_and_wait(rating.get_by_role("button", name="Gửi đánh giá"), "rating-error", status=422)
    expect(page.get_by_role("alert")).to_contain_text("Hãy chọn mức độ hài lòng.")
    expect(page.get_by_label("Góp ý (nếu có)")).to_have_value("Cán bộ hướng dẫn tận tình.")
    page.get_by_label("Rất hài lòng").check()
    site.click_and_wait(page.get_by_role("button", name="Gửi đánh giá"), "dossier-rated")
    assert site.path == f"/dossiers/{dossier.code}/"
    expect(page.locator(".notice")).to_contain_text("Cảm ơn bạn đã đánh giá mức độ hài lòng.")
    expect(page.get_by_role("region", name="Đánh giá mức độ hài lòng")).to_contain_text("Bạn đã đánh giá: Rất hài lòng")
    assert Rating.objects.get(dossier=dossier).level == "very_satisfied"

    context = chromium.new_context(locale="vi-VN", viewport=DEFAULT_VIEWPORT, service_workers="block")
    officer_context = chromium.new_context(locale="vi-VN", viewport=DEFAULT_VIEWPORT, service_workers="block")
    try:
        # A visitor, not logged in, sends a petition about the ward: no contact first, then the code.
        visitor = CheckedPage(context.new_page(), live_server.url, axe_source, site.screenshot_dir / "visitor")
        visitor.visit("/feedback/", "feedback-form")
        form = visitor.page
        form.get_by_label("Họ và tên").fill(SENDER)
        form.get_by_label("Nội dung phản ánh, kiến nghị").fill(QUESTION)
        form.get_by_label("Cơ quan được phản ánh (nếu biết)").select_option(label=world.agency.name)
        visitor.click_and_wait(form.get_by_role("button", name="Gửi phản ánh, kiến nghị"), "feedback-error", status=422)
        expect(form.get_by_role("alert")).to_contain_text("Hãy nhập thư điện tử hoặc số điện thoại")
        expect(form.get_by_label("Nội dung phản ánh, kiến nghị")).to_have_value(QUESTION)
        form.get_by_label("Số điện thoại").fill("0905 123 456")
        visitor.click_and_wait(form.get_by_role("button", name="Gửi phản ánh, kiến nghị"), "feedback-sent")
        expect(form.get_by_role("heading", level=1)).to_have_text("Đã gửi phản ánh, kiến nghị")
        code = form.locator(".wallet-code").inner_text()
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
        expect(form.locator(".wallet-link")).to_have_text(f"{live_server.url}/feedback/{code}/")
        visitor.click_and_wait(form.get_by_role("link", name="Xem tình trạng xử lý"), "feedback-status-received")
        expect(form.locator(".facts")).to_contain_text("Đã tiếp nhận, đang xử lý")

        # The ward's desk officer answers it, then publishes it without the sender's name and phone.
        officer = CheckedPage(officer_context.new_page(), live_server.url, axe_source, site.screenshot_dir / "officer")
        sign_in(officer.page, officer.base_url, world.reception)
        officer.visit("/backoffice/", "worklist")
        officer.click_and_wait(officer.page.get_by_role("link", name="Phản ánh, kiến nghị"), "feedback-worklist")
        row = officer.page.get_by_role("row").filter(has_text="được hẹn trả kết quả")
        expect(row).to_contain_text("Đã tiếp nhận, đang xử lý")
        expect(row).to_contain_text("Trong hạn")
        officer.click_and_wait(row.get_by_role("link"), "feedback-detail")
        expect(officer.page.get_by_role("region", name="Thông tin chung")).to_contain_text("0905123456")
        answer = officer.page.get_by_role("form", name="Trả lời phản ánh, kiến nghị")
        answer.get_by_label("Nội dung trả lời").fill("Kính gửi ông Cường: phường đã bố trí trả kết quả đúng hẹn.")
        officer.click_and_wait(answer.get_by_role("button", name="Trả lời phản ánh, kiến nghị"), "feedback-answered")
        expect(officer.page.locator(".notice")).to_contain_text("Đã thực hiện “Trả lời phản ánh, kiến nghị”.")
        publish = officer.page.get_by_role("form", name="Công khai kết quả trả lời")
        expect(publish.get_by_label("Nội dung phản ánh được công khai")).to_have_value(QUESTION)
        publish.get_by_label("Nội dung phản ánh được công khai").fill("Được hẹn trả kết quả nhưng đến nơi chưa có.")
        publish.get_by_label("Nội dung trả lời được công khai").fill("Phường đã bố trí trả kết quả đúng hẹn.")
        officer.click_and_wait(publish.get_by_role("button", name="Công khai kết quả trả lời"), "feedback-published")
        expect(officer.page.locator(".bo-status")).to_contain_text("Đã công khai kết quả trả lời")
        officer.assert_all_pages_checked()
        assert Feedback.objects.get().published_on_time is True

        # The visitor reads the answer with the code and rates it.
        visitor.visit(f"/feedback/{code}/", "feedback-status-answered")
        expect(form.get_by_role("region", name="Kết quả trả lời")).to_contain_text("phường đã bố trí trả kết quả")
        form.get_by_label("Hài lòng", exact=True).check()
        visitor.click_and_wait(form.get_by_role("button", name="Gửi đánh giá"), "feedback-rated")
        expect(form.locator(".notice")).to_contain_text("Cảm ơn bạn đã đánh giá kết quả trả lời.")

        # Anyone reads the published answer, without the sender's name or phone.
        visitor.click_and_wait(form.get_by_role("link", name="Theo dõi phản ánh, kiến nghị"), "feedback-track")
        visitor.visit("/feedback/answers/", "answers")
        item = form.locator(".my-item").first
        expect(item).to_contain_text("Được hẹn trả kết quả nhưng đến nơi chưa có.")
        expect(item).to_contain_text("Phường đã bố trí trả kết quả đúng hẹn.")
        expect(item).to_contain_text(world.agency.name)
        expect(form.locator("main")).not_to_contain_text(SENDER)
        expect(form.locator("main")).not_to_contain_text("0905")
        visitor.assert_all_pages_checked()
    finally:
        context.close()
        officer_context.close()
