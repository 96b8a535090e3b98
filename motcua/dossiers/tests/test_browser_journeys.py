"""Whole journeys of a dossier in a real browser, through the citizen portal and the back office:
a full-process online dossier from filing to the returned result (with a supplement on the way), a refused
one and a withdrawn one. Every page visited is axe-checked (WCAG 2.1 AA) at 375 and 1280 px."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from motcua.dossiers.models import Dossier, DossierState
from motcua.dossiers.services import submit_dossier
from motcua.dossiers.tests.factories import PDF_BYTES

pytestmark = pytest.mark.browser


def sign_in_as(site, user) -> None:
    """Switch the browser to `user`'s session (the login pages have their own browser tests)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    site.page.context.clear_cookies()
    site.page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site.base_url}])


def officer_acts(site, dossier, officer, action: str, name: str, *, fill=None, assignee: str | None = None) -> None:
    """An officer opens the dossier in the back office and submits one action form."""
    sign_in_as(site, officer)
    site.visit(f"/backoffice/dossiers/{dossier.code}/", f"{name}-before")
    form = site.page.get_by_role("form", name=action)
    for label, value in (fill or {}).items():
        form.get_by_label(label).fill(value)
    if assignee:
        form.get_by_label("Cán bộ nhận").select_option(label=assignee)
    site.click_and_wait(form.get_by_role("button", name=action), name)
    expect(site.page.locator(".notice")).to_contain_text(f"Đã thực hiện “{action}”")


def test_a_full_process_online_dossier_from_filing_to_returned_result(site, world):
    page = site.page
    sign_in_as(site, world.owner)

    # The citizen files online: guide → e-form → components → review → submit.
    site.visit("/procedures/1.001193/", "procedure")
    site.click_and_wait(page.get_by_role("link", name="Nộp hồ sơ trực tuyến"), "guide")
    site.click_and_wait(page.get_by_role("button", name="Bắt đầu khai hồ sơ"), "form")
    page.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Nguyễn Văn An")
    page.get_by_label("Ngày sinh").fill("2026-11-20")
    page.get_by_label("Nam", exact=True).check()
    site.click_and_wait(page.get_by_role("button", name="Tiếp tục"), "components")
    for number, requirement in enumerate(world.version.components.order_by("position"), start=1):
        section = page.get_by_role("region", name=re.compile(re.escape(requirement.name)))
        section.get_by_label(f"Chọn tệp cho “{requirement.name}”").set_input_files(
            {"name": f"giay-to-{number}.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
        )
        site.click_and_wait(section.get_by_role("button", name=re.compile("^Tải lên")), f"uploaded-{number}")
    site.click_and_wait(page.get_by_role("link", name="Tiếp tục"), "review")
    site.click_and_wait(page.get_by_role("button", name="Nộp hồ sơ"), "submitted")
    dossier = Dossier.objects.get(applicant=world.owner)
    assert dossier.state == DossierState.SUBMITTED and dossier.is_full_process

    # The one-stop desk receives it, then asks for a clearer birth certificate.
    officer_acts(site, dossier, world.reception, "Tiếp nhận hồ sơ", "received")
    officer_acts(
        site, dossier, world.reception, "Yêu cầu bổ sung, hoàn thiện hồ sơ", "supplement-requested",
        fill={"Giấy tờ còn thiếu hoặc cần hoàn thiện": "Giấy chứng sinh bản rõ nét"},
    )  # fmt: skip

    # The citizen supplements online.
    sign_in_as(site, world.owner)
    site.visit(f"/dossiers/{dossier.code}/", "citizen-supplement")
    supplement = page.get_by_role("region", name="Cơ quan yêu cầu bổ sung hồ sơ")
    expect(supplement).to_contain_text("Giấy chứng sinh bản rõ nét")
    supplement.get_by_label("Giấy chứng sinh", exact=True).set_input_files(
        {"name": "chung-sinh-ro.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    site.click_and_wait(supplement.get_by_role("button", name="Gửi giấy tờ bổ sung"), "supplemented")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RECEIVED

    # Through the internal steps to the result, and back to the citizen.
    officer_acts(
        site, dossier, world.reception, "Chuyển bước xử lý", "to-specialist", assignee="Chuyenvien (chuyenvien)"
    )
    officer_acts(site, dossier, world.specialist, "Chuyển bước xử lý", "to-leader", assignee="Lanhdao (lanhdao)")
    officer_acts(site, dossier, world.leader, "Phê duyệt kết quả", "approved")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RESULT_READY
    officer_acts(site, dossier, world.reception, "Trả kết quả", "returned")

    sign_in_as(site, world.owner)
    site.visit(f"/dossiers/{dossier.code}/", "citizen-result")
    timeline = page.locator(".my-timeline")
    for step in ("Nộp hồ sơ trực tuyến", "Tiếp nhận hồ sơ", "Bổ sung hồ sơ", "Phê duyệt kết quả", "Trả kết quả"):
        expect(timeline).to_contain_text(step)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RESULT_RETURNED
    kinds = list(dossier.actions.exclude(kind="view").values_list("kind", flat=True))
    assert kinds == [
        "submit", "receive", "request_supplement", "supplement", "hand_off", "hand_off", "approve", "return_result",
    ]  # fmt: skip


def test_a_refused_dossier_and_a_withdrawn_one(site, world):
    page = site.page
    refused, withdrawn = (
        submit_dossier(
            applicant=world.owner,
            version=world.version,
            agency=world.agency,
            form_data=world.form,
            files=world.required_files(),
            idempotency_key=key,
        )  # fmt: skip
        for key in ("hs-tu-choi", "hs-rut")
    )

    officer_acts(
        site, refused, world.reception, "Từ chối tiếp nhận", "refused",
        fill={"Lý do": "Hồ sơ không thuộc thẩm quyền của phường."},
    )  # fmt: skip
    refused.refresh_from_db()
    assert refused.state == DossierState.REFUSED

    sign_in_as(site, world.owner)
    site.visit(f"/dossiers/{refused.code}/", "citizen-refused")
    expect(page.locator(".my-timeline")).to_contain_text("Từ chối tiếp nhận")

    site.visit(f"/dossiers/{withdrawn.code}/", "citizen-before-withdrawal")
    site.click_and_wait(page.get_by_role("link", name="Rút hồ sơ"), "withdraw-confirm")
    page.get_by_label(re.compile("^Lý do")).fill("Tôi nộp nhầm thủ tục.")
    site.click_and_wait(page.get_by_role("button", name="Xác nhận rút hồ sơ"), "withdrawn")
    withdrawn.refresh_from_db()
    assert withdrawn.state == DossierState.WITHDRAWN
    expect(page.locator(".my-timeline")).to_contain_text("Rút hồ sơ")
