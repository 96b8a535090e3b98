"""Accounts in a real browser: a citizen registers, logs out and logs back in; an officer logs in with a
one-time code, and a new officer enrols an authenticator. Every page is axe-checked (motcua/conftest.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from motcua.accounts.models import OtpDevice, User
from motcua.accounts.tests.conftest import MINH_SECRET, OPERATOR_SECRET, PASSWORD

pytestmark = pytest.mark.browser


def test_citizen_registers_logs_out_and_in_then_officers_log_in_with_codes(site, minh, hoa, clock):
    page = site.page

    # A citizen registers from the header link; a first attempt with mismatched passwords is explained.
    site.visit("/", "home")
    site.click_and_wait(
        page.get_by_role("navigation", name="Tài khoản").get_by_role("link", name="Đăng ký"), "register"
    )
    page.get_by_label("Họ và tên").fill("Phạm Quốc Bảo")
    page.get_by_label("Số định danh cá nhân").fill("048095005678")
    page.get_by_label("Số điện thoại").fill("0905 777 888")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill("khong-khop-2026")
    site.click_and_wait(page.get_by_role("button", name="Đăng ký"), "register-error")
    expect(page.locator("#id_password_confirm_error")).to_have_text("Hai mật khẩu không khớp.")
    expect(page.get_by_label("Số định danh cá nhân")).to_have_value("048095005678")
    expect(page.get_by_label("Nhập lại mật khẩu")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    site.click_and_wait(page.get_by_role("button", name="Đăng ký"), "account-new")
    assert site.path == "/accounts/me/"
    expect(page.locator(".notice")).to_have_text("Đã tạo tài khoản. Bạn đã đăng nhập.")
    expect(page.locator(".facts")).to_contain_text("Phạm Quốc Bảo")
    expect(page.locator(".facts")).to_contain_text("5678")
    expect(page.locator(".facts")).not_to_contain_text("048095005678")

    # Logs out from the header, and back in with the citizen ID.
    header = page.get_by_role("navigation", name="Tài khoản")
    site.click_and_wait(header.get_by_role("button", name="Đăng xuất"), "logged-out")
    assert site.path == "/accounts/login/"
    expect(page.locator(".notice")).to_have_text("Bạn đã đăng xuất.")
    page.get_by_label("Số định danh cá nhân").fill("048095005678")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    site.click_and_wait(page.get_by_role("button", name="Đăng nhập"), "account-citizen")
    assert site.path == "/accounts/me/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản của tôi")
    site.click_and_wait(header.get_by_role("button", name="Đăng xuất"), "logged-out-again")

    # An officer: password, then the code from the authenticator.
    kinds = page.get_by_role("navigation", name="Đăng nhập với tư cách")
    site.click_and_wait(kinds.get_by_role("link", name="Cán bộ, công chức"), "login-officer")
    page.get_by_label("Tên đăng nhập").fill("minh.tv")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    site.click_and_wait(page.get_by_role("button", name="Đăng nhập"), "officer-code")
    assert site.path == "/accounts/login/officer/code/"
    page.get_by_label("Mã xác thực").fill("000000" if clock.code(MINH_SECRET) != "000000" else "111111")
    site.click_and_wait(page.get_by_role("button", name="Xác nhận"), "officer-code-wrong")
    expect(page.locator(".errors")).to_contain_text("Mã xác thực không đúng")
    page.get_by_label("Mã xác thực").fill(clock.code(MINH_SECRET))
    site.click_and_wait(page.get_by_role("button", name="Xác nhận"), "account-officer")
    assert site.path == "/accounts/me/"
    roles = page.get_by_role("region", name="Vai trò tại cơ quan")
    expect(roles).to_contain_text("Ủy ban nhân dân phường Hải Châu")
    expect(roles).to_contain_text("Cán bộ tiếp nhận (một cửa)")
    site.click_and_wait(header.get_by_role("button", name="Đăng xuất"), "officer-logged-out")

    # A new officer is led through enrolment: QR code, secret and URI, then the first code.
    site.visit("/accounts/login/officer/", "login-officer-2")
    page.get_by_label("Tên đăng nhập").fill("hoa.lt")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    site.click_and_wait(page.get_by_role("button", name="Đăng nhập"), "officer-enrol")
    assert site.path == "/accounts/login/officer/enrol/"
    secret = OtpDevice.objects.get(user=hoa).secret
    expect(page.locator("#otp-secret")).to_have_text(" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)))
    qr = page.get_by_role("img", name="Mã QR để thêm tài khoản vào ứng dụng xác thực")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0
    page.get_by_label("Mã xác thực").fill(clock.code(secret))
    site.click_and_wait(page.get_by_role("button", name="Xác nhận và đăng nhập"), "account-enrolled")
    assert site.path == "/accounts/me/"
    expect(page.locator(".notice")).to_contain_text("Đã bật xác thực hai bước.")
    assert User.objects.get(username="hoa.lt").otp_device.confirmed


def test_an_operator_reaches_the_admin_site_only_after_the_one_time_code(site, quantri, clock):
    page = site.page
    site.visit("/admin/", "admin-login")
    assert site.path == "/admin/login/?next=/admin/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập trang quản trị")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    site.click_and_wait(page.get_by_role("button", name="Đăng nhập"), "admin-code")
    assert site.path == "/accounts/login/officer/code/"
    page.get_by_label("Mã xác thực").fill(clock.code(OPERATOR_SECRET))
    site.click_and_wait(page.get_by_role("button", name="Xác nhận"), "admin-index")
    assert site.path == "/admin/"
