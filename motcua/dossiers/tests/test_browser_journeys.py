"""Whole journeys of a dossier in a real browser, through the citizen portal and the back office:
a full-process online dossier from filing to the returned result (with a supplement on the way), a refused
one and a withdrawn one. Every page visited is axe-checked (WCAG 2.1 AA) at 375 and 1280 px."""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import expect

from motcua.dossiers.models import Dossier, DossierState
from motcua.dossiers.services import submit_dossier
from motcua.dossiers.tests.factories import PDF_BYTES
from motcua.signing.pades import validate_pdf

pytestmark = pytest.mark.browser


def officer_acts(site, dossier, officer, action: str, name: str, *, fill=None, assignee: str | None = None) -> None:
    """An officer opens the dossier in the back office and submits one action form."""
    site.log_in(officer)
    site.visit(f"/backoffice/dossiers/{dossier.code}/", f"{name}-before")
    form = site.page.get_by_role("form", name=action)
    for label, value in (fill or {}).items():
        form.get_by_label(label).fill(value)
    if assignee:
        form.get_by_label("Cán bộ nhận").select_option(label=assignee)
    site.click_and_wait(form.get_by_role("button", name=action), name)
    expect(site.page.locator(".notice")).to_contain_text(f"Đã thực hiện “{action}”")


def file_online(site, world) -> Dossier:
    """The citizen files the birth registration online: guide → e-form → components → review → submit."""
    page = site.page
    site.log_in(world.owner)
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
    return dossier


def test_a_full_process_online_dossier_from_filing_to_returned_result(site, world):
    page = site.page
    dossier = file_online(site, world)

    # The one-stop desk receives it, then asks for a clearer birth certificate.
    officer_acts(site, dossier, world.reception, "Tiếp nhận hồ sơ", "received")
    officer_acts(
        site, dossier, world.reception, "Yêu cầu bổ sung, hoàn thiện hồ sơ", "supplement-requested",
        fill={"Giấy tờ còn thiếu hoặc cần hoàn thiện": "Giấy chứng sinh bản rõ nét"},
    )  # fmt: skip

    # The citizen supplements online.
    site.log_in(world.owner)
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

    site.log_in(world.owner)
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

    site.log_in(world.owner)
    site.visit(f"/dossiers/{refused.code}/", "citizen-refused")
    expect(page.locator(".my-timeline")).to_contain_text("Từ chối tiếp nhận")

    site.visit(f"/dossiers/{withdrawn.code}/", "citizen-before-withdrawal")
    site.click_and_wait(page.get_by_role("link", name="Rút hồ sơ"), "withdraw-confirm")
    page.get_by_label(re.compile("^Lý do")).fill("Tôi nộp nhầm thủ tục.")
    site.click_and_wait(page.get_by_role("button", name="Xác nhận rút hồ sơ"), "withdrawn")
    withdrawn.refresh_from_db()
    assert withdrawn.state == DossierState.WITHDRAWN
    expect(page.locator(".my-timeline")).to_contain_text("Rút hồ sơ")


def test_no_cash_no_paper_fee_paid_online_result_signed_downloaded_and_verified_by_its_qr_code(
    site, world, live_server, settings, tmp_path
):
    """Issue 4's journey: a fee-bearing procedure filed online, paid through the sandbox gateway, approved, the
    signed result downloaded from "my dossiers" (which returns it), and verified through its QR code."""
    settings.MOTCUA_SITE_URL = live_server.url  # the QR code and the gateway's return URL point at this server
    page = site.page
    dossier = file_online(site, world)

    officer_acts(site, dossier, world.reception, "Tiếp nhận hồ sơ", "received")
    officer_acts(
        site, dossier, world.reception, "Chuyển bước xử lý", "to-specialist", assignee="Chuyenvien (chuyenvien)"
    )
    officer_acts(site, dossier, world.specialist, "Yêu cầu thực hiện nghĩa vụ tài chính", "payment-requested")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.PAYMENT_REQUESTED

    # The citizen sees the bill with its lines and pays it on the sandbox gateway's own page.
    site.log_in(world.owner)
    site.visit(f"/dossiers/{dossier.code}/", "citizen-bill")
    bill = page.get_by_role("region", name="Phí, lệ phí phải nộp")
    expect(bill).to_contain_text("Phí cấp bản sao trích lục khai sinh")
    expect(bill).to_contain_text("Tổng cộng: 8.000 đồng")
    bill.get_by_label("Cổng thanh toán thử nghiệm").check()
    site.click_and_wait(bill.get_by_role("button", name="Thanh toán trực tuyến"), "sandbox-gateway")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cổng thanh toán thử nghiệm")
    site.click_and_wait(page.get_by_role("button", name="Thanh toán"), "paid")
    assert site.path == f"/dossiers/{dossier.code}/"
    expect(page.locator(".notice")).to_contain_text("Thanh toán thành công")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.PROCESSING  # moved by the gateway's signed notification, not the browser

    # The specialist passes it to the leader, whose approval signs the result.
    officer_acts(site, dossier, world.specialist, "Chuyển bước xử lý", "to-leader", assignee="Lanhdao (lanhdao)")
    officer_acts(site, dossier, world.leader, "Phê duyệt kết quả", "approved")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RESULT_READY

    # The citizen downloads the signed result from "my dossiers": that returns it.
    site.log_in(world.owner)
    site.visit(f"/dossiers/{dossier.code}/", "citizen-result")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải kết quả (PDF có chữ ký số)").click()
    pdf_path = tmp_path / "ket-qua.pdf"
    download_info.value.save_as(pdf_path)
    check = validate_pdf(pdf_path.read_bytes())
    assert check.valid and check.signatures[0].signer_identifier == world.agency.identifier
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RESULT_RETURNED

    # Anyone holding the paper or the PDF scans its QR code and lands on the verification page.
    qr_url = read_qr_code(pdf_path, tmp_path)
    result = dossier.issued_results.get()
    assert qr_url == f"{live_server.url}/verify/{result.pk}/"
    site.log_in(None)
    site.visit(qr_url, "verified")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xác thực kết quả")
    expect(page.locator("main")).to_contain_text("Kết quả đang có hiệu lực")
    expect(page.locator("main")).to_contain_text(world.agency.name)
    expect(page.locator("main")).to_contain_text(dossier.code)


def read_qr_code(pdf_path, workdir) -> str:
    """The QR code on the PDF's first page, read like a phone would: rendered to an image, then decoded."""
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", pdf_path, workdir / "page"], check=True)
    [image] = workdir.glob("page*.png")
    decoded = subprocess.run(["zbarimg", "--raw", "-q", image], check=True, capture_output=True, text=True)
    return decoded.stdout.strip()
