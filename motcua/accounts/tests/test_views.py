"""Login, registration, one-time codes, throttling, logout and "my account", through the test client."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from motcua.accounts import services
from motcua.accounts.models import OtpDevice, User, UserKind
from motcua.accounts.tests.conftest import LAN_CITIZEN_ID, MINH_SECRET, OPERATOR_SECRET, PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "Bạn đã nhập sai quá nhiều lần"
WRONG_CODE = "Mã xác thực không đúng, đã hết hạn hoặc đã được dùng."


def registration(**changes) -> dict:
    data = {
        "full_name": "Phạm Quốc Bảo",
        "citizen_id": "048095005678",
        "phone": "0905 777 888",
        "email": "bao@example.vn",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    return {**data, **changes}


def logged_in_user(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="id_{field}_error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else ""


# --- Registration ---------------------------------------------------------------------------------------------


def test_a_citizen_registers_and_is_logged_in(client):
    response = client.post("/accounts/register/", registration())
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    bao = User.objects.get(citizen_id="048095005678")
    assert (bao.username, bao.kind, bao.phone, bao.email) == (
        "048095005678",
        UserKind.CITIZEN,
        "0905777888",
        "bao@example.vn",
    )
    assert logged_in_user(client) == bao
    page = client.get("/accounts/me/").content.decode()
    assert "Đã tạo tài khoản. Bạn đã đăng nhập." in page


def test_a_malformed_citizen_id_is_explained_and_the_form_keeps_what_was_typed(client):
    response = client.post("/accounts/register/", registration(citizen_id="003095005678", email=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert field_error(html, "citizen_id") == "Ba chữ số đầu (003) không phải mã tỉnh nơi đăng ký khai sinh."
    assert 'value="Phạm Quốc Bảo"' in html
    assert 'value="003095005678"' in html
    assert 'value="0905 777 888"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_citizen_id_helptext id_citizen_id_error"' in html
    assert "<title>Lỗi: Đăng ký tài khoản công dân" in html
    assert PASSWORD not in html  # passwords are never sent back
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "citizen_id, message",
    [
        ("04809500567", "Số định danh cá nhân gồm đúng 12 chữ số."),
        ("", "Hãy nhập số định danh cá nhân."),
        ("048295005678", "Chữ số thứ 4–6 cho năm sinh 2095, chưa đến."),
    ],
)
def test_every_kind_of_bad_citizen_id_has_its_own_message(client, citizen_id, message):
    html = client.post("/accounts/register/", registration(citizen_id=citizen_id)).content.decode()
    assert field_error(html, "citizen_id") == message
    assert not User.objects.exists()


def test_mismatched_passwords_are_reported_on_the_second_field(client):
    html = client.post("/accounts/register/", registration(password_confirm="Hoa-sen-no-2025")).content.decode()
    assert field_error(html, "password_confirm") == "Hai mật khẩu không khớp."
    assert field_error(html, "citizen_id") == ""
    assert not User.objects.exists()


def test_django_password_validators_apply_in_vietnamese(client):
    html = client.post("/accounts/register/", registration(password="12345678", password_confirm="12345678")).content
    error = field_error(html.decode(), "password")
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in error and "Mật khẩu này hoàn toàn là số." in error
    assert not User.objects.exists()


def test_all_problems_are_shown_at_once_with_a_summary_linking_to_the_fields(client):
    html = client.post(
        "/accounts/register/", registration(full_name="", phone="123", email="bao@", password_confirm="x")
    ).content.decode()
    assert field_error(html, "full_name") == "Hãy nhập họ và tên."
    assert field_error(html, "phone").startswith("Số điện thoại gồm 10 hoặc 11 chữ số")
    assert field_error(html, "email") == "Địa chỉ email không đúng, ví dụ: ten@example.vn."
    assert field_error(html, "password_confirm") == "Hai mật khẩu không khớp."
    assert '<a href="#id_full_name">Họ và tên: Hãy nhập họ và tên.</a>' in html
    assert 'value="bao@"' in html


def test_a_registered_citizen_id_cannot_register_again(client, lan):
    html = client.post("/accounts/register/", registration(citizen_id=LAN_CITIZEN_ID)).content.decode()
    assert field_error(html, "citizen_id") == "Số định danh cá nhân này đã có tài khoản. Nếu đó là bạn, hãy đăng nhập."
    assert User.objects.count() == 1
    assert logged_in_user(client) is None


def test_an_organisation_registers_and_logs_in_with_its_tax_code(client):
    data = {
        "full_name": "Công ty TNHH Sông Hàn",
        "tax_code": "0100112437",
        "phone": "0236 3822 222",
        "email": "",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    bad = client.post("/accounts/register/organisation/", {**data, "tax_code": "0100112438"}).content.decode()
    assert field_error(bad, "tax_code") == "Mã số thuế không đúng (sai chữ số kiểm tra)."
    assert 'value="Công ty TNHH Sông Hàn"' in bad
    assert client.post("/accounts/register/organisation/", data)["Location"] == "/accounts/me/"
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/organisation/", {"identifier": "0100112437", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user(client).tax_code == "0100112437"
    html = client.get("/accounts/me/").content.decode()
    assert "Tổ chức, doanh nghiệp" in html and "0100112437" in html


# --- Citizen login and logout ---------------------------------------------------------------------------------


def test_a_citizen_logs_in_with_the_citizen_id_and_logs_out(client, lan):
    response = client.post("/accounts/login/", {"identifier": LAN_CITIZEN_ID, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    assert logged_in_user(client) == lan

    assert client.get("/accounts/logout/").status_code == 405  # never by GET
    assert logged_in_user(client) == lan
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert logged_in_user(client) is None
    assert "Bạn đã đăng xuất." in client.get("/accounts/login/").content.decode()


def test_login_goes_back_to_a_local_next_page_only(client, lan):
    credentials = {"identifier": LAN_CITIZEN_ID, "password": PASSWORD}
    response = client.post("/accounts/login/?next=/procedures/", credentials)
    assert response["Location"] == "/procedures/"
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {**credentials, "next": "https://evil.example/"})
    assert response["Location"] == "/accounts/me/"


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(client, lan):
    response = client.post("/accounts/login/", {"identifier": LAN_CITIZEN_ID, "password": "sai-mat-khau"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Số định danh cá nhân hoặc mật khẩu không đúng." in html
    assert f'value="{LAN_CITIZEN_ID}"' in html
    unknown = client.post("/accounts/login/", {"identifier": "048095009999", "password": "sai-mat-khau"})
    assert "Số định danh cá nhân hoặc mật khẩu không đúng." in unknown.content.decode()
    assert logged_in_user(client) is None


def test_each_login_page_accepts_only_its_kind_of_account(client, lan, minh):
    client.post("/accounts/login/organisation/", {"identifier": LAN_CITIZEN_ID, "password": PASSWORD})
    assert logged_in_user(client) is None
    client.post("/accounts/login/", {"identifier": "minh.tv", "password": PASSWORD})
    assert logged_in_user(client) is None


def test_empty_login_fields_get_their_own_messages(client):
    html = client.post("/accounts/login/", {"identifier": "", "password": ""}).content.decode()
    assert field_error(html, "identifier") == "Hãy nhập số định danh cá nhân."
    assert field_error(html, "password") == "Hãy nhập mật khẩu."


# --- Officers: password, then a one-time code ---------------------------------------------------------------


def officer_password_step(client, username="minh.tv", password=PASSWORD, **extra):
    return client.post("/accounts/login/officer/", {"identifier": username, "password": password, **extra})


def test_an_officer_logs_in_with_a_password_then_a_one_time_code(client, minh, clock):
    response = officer_password_step(client, next="/procedures/")
    assert response["Location"] == "/accounts/login/officer/code/"
    assert logged_in_user(client) is None  # not yet
    assert client.get("/accounts/me/")["Location"] == "/accounts/login/?next=/accounts/me/"

    page = client.get("/accounts/login/officer/code/").content.decode()
    assert "minh.tv" in page and 'autocomplete="one-time-code"' in page
    response = client.post("/accounts/login/officer/code/", {"code": clock.code(MINH_SECRET)})
    assert response["Location"] == "/procedures/"
    assert logged_in_user(client) == minh
    assert "accounts:pending_officer" not in client.session


def test_a_wrong_code_is_refused_and_the_right_one_still_works(client, minh, clock):
    officer_password_step(client)
    wrong = clock.code(MINH_SECRET, offset_steps=3)
    response = client.post("/accounts/login/officer/code/", {"code": wrong})
    assert response.status_code == 200 and WRONG_CODE in response.content.decode()
    assert logged_in_user(client) is None
    html = client.post("/accounts/login/officer/code/", {"code": "12a"}).content.decode()
    assert field_error(html, "code") == "Mã xác thực gồm đúng 6 chữ số."
    client.post("/accounts/login/officer/code/", {"code": clock.code(MINH_SECRET)})
    assert logged_in_user(client) == minh


def test_a_code_cannot_be_used_twice(client, minh, clock):
    code = clock.code(MINH_SECRET)
    officer_password_step(client)
    client.post("/accounts/login/officer/code/", {"code": code})
    assert logged_in_user(client) == minh
    client.post("/accounts/logout/")

    clock.advance(10)  # same 30-second window
    officer_password_step(client)
    response = client.post("/accounts/login/officer/code/", {"code": code})
    assert WRONG_CODE in response.content.decode()
    assert logged_in_user(client) is None
    clock.advance(30)
    client.post("/accounts/login/officer/code/", {"code": clock.code(MINH_SECRET)})
    assert logged_in_user(client) == minh


def test_the_code_page_needs_the_password_step_first(client, minh, clock):
    response = client.post("/accounts/login/officer/code/", {"code": clock.code(MINH_SECRET)})
    assert response["Location"] == "/accounts/login/officer/"
    assert logged_in_user(client) is None
    assert client.get("/accounts/login/officer/enrol/")["Location"] == "/accounts/login/officer/"
    assert client.get("/accounts/login/officer/enrol/qr.svg").status_code == 404


def test_the_password_step_expires(client, minh, clock):
    officer_password_step(client)
    with override_settings(MOTCUA_LOGIN_PENDING_SECONDS=-1):
        response = client.post("/accounts/login/officer/code/", {"code": clock.code(MINH_SECRET)})
    assert response["Location"] == "/accounts/login/officer/"
    assert logged_in_user(client) is None


def test_an_officer_cannot_log_in_with_a_password_alone_anywhere(client, minh):
    client.post("/admin/login/?next=/admin/", {"username": "minh.tv", "password": PASSWORD})
    assert logged_in_user(client) is None
    assert client.login(username="minh.tv", password=PASSWORD) is False


def test_a_new_officer_enrols_an_authenticator_after_the_password(client, hoa, clock):
    response = officer_password_step(client, username="hoa.lt")
    assert response["Location"] == "/accounts/login/officer/enrol/"
    device = OtpDevice.objects.get(user=hoa)
    assert not device.confirmed
    # The code page sends an unenrolled officer back to enrolment.
    assert client.get("/accounts/login/officer/code/")["Location"] == "/accounts/login/officer/enrol/"

    html = client.get("/accounts/login/officer/enrol/").content.decode()
    assert " ".join(device.secret[i : i + 4] for i in range(0, 32, 4)) in html
    assert f"otpauth://totp/motcua%3Ahoa.lt?secret={device.secret}&amp;issuer=motcua" in html
    assert 'src="/accounts/login/officer/enrol/qr.svg"' in html
    qr = client.get("/accounts/login/officer/enrol/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert "no-store" in qr["Cache-Control"]

    # A reload shows the same secret; a wrong code does not confirm it.
    assert device.secret in client.get("/accounts/login/officer/enrol/").content.decode().replace(" ", "")
    assert WRONG_CODE in client.post("/accounts/login/officer/enrol/", {"code": "000000"}).content.decode()
    response = client.post("/accounts/login/officer/enrol/", {"code": clock.code(device.secret)})
    assert response["Location"] == "/accounts/me/"
    assert logged_in_user(client) == hoa
    device.refresh_from_db()
    assert device.confirmed
    assert "Đã bật xác thực hai bước." in client.get("/accounts/me/").content.decode()

    # Next time: the code, not enrolment; and the QR code is no longer served.
    client.post("/accounts/logout/")
    assert officer_password_step(client, username="hoa.lt")["Location"] == "/accounts/login/officer/code/"
    assert client.get("/accounts/login/officer/enrol/qr.svg").status_code == 404


# --- Operators: the admin site asks for a one-time code too ----------------------------------------------------


def admin_password_step(client, username="quantri", password=PASSWORD, next_url="/admin/"):
    return client.post(f"/admin/login/?next={next_url}", {"identifier": username, "password": password})


def test_an_operator_with_only_a_password_cannot_reach_the_admin(client, quantri, clock):
    response = admin_password_step(client)
    assert response["Location"] == "/accounts/login/officer/code/"
    assert logged_in_user(client) is None
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    # Neither Django's own admin form fields nor a password-only authenticate() log an operator in.
    client.post("/admin/login/?next=/admin/", {"username": "quantri", "password": PASSWORD})
    assert logged_in_user(client) is None
    assert client.login(username="quantri", password=PASSWORD) is False
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"


def test_an_operator_reaches_the_admin_with_a_password_and_a_code(client, quantri, clock):
    page = client.get("/admin/login/?next=/admin/").content.decode()
    assert "Đăng nhập trang quản trị" in page and 'name="identifier"' in page
    assert 'aria-label="Đăng nhập với tư cách"' not in page  # not the applicants' and officers' choice of page
    admin_password_step(client)
    page = client.get("/accounts/login/officer/code/").content.decode()
    assert "quantri" in page and 'href="/admin/login/"' in page  # "not you?" goes back to the admin login
    response = client.post("/accounts/login/officer/code/", {"code": clock.code(OPERATOR_SECRET)})
    assert response["Location"] == "/admin/"
    assert logged_in_user(client) == quantri and logged_in_user(client).kind == UserKind.OPERATOR
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"  # already in


def test_the_admin_login_goes_to_the_admin_index_without_a_next(client, quantri, clock):
    client.post("/admin/login/", {"identifier": "quantri", "password": PASSWORD})
    response = client.post("/accounts/login/officer/code/", {"code": clock.code(OPERATOR_SECRET)})
    assert response["Location"] == "/admin/"


def test_a_new_operator_enrols_an_authenticator_before_reaching_the_admin(client, db, clock):
    operator = User.objects.create_superuser("vanhanh", "vanhanh@example.vn", PASSWORD)
    assert admin_password_step(client, username="vanhanh")["Location"] == "/accounts/login/officer/enrol/"
    device = OtpDevice.objects.get(user=operator)
    html = client.get("/accounts/login/officer/enrol/").content.decode()
    assert "Tài khoản vanhanh cần thêm một mã từ điện thoại" in html and "Tài khoản cán bộ" not in html
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    response = client.post("/accounts/login/officer/enrol/", {"code": clock.code(device.secret)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_takes_staff_accounts_only_and_officers_need_their_code_there_too(client, minh, clock):
    # An officer without admin access: the admin login says the password is wrong, as for any other refusal.
    html = admin_password_step(client, username="minh.tv").content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in html
    assert logged_in_user(client) is None
    # Given admin access, the same password and code as on the officers' page.
    minh.is_staff = True
    minh.save(update_fields=["is_staff"])
    assert admin_password_step(client, username="minh.tv")["Location"] == "/accounts/login/officer/code/"
    assert client.post("/accounts/login/officer/code/", {"code": clock.code(MINH_SECRET)})["Location"] == "/admin/"
    assert logged_in_user(client) == minh


def test_a_staff_account_of_any_kind_needs_a_code_on_every_login_page(client, lan, clock):
    lan.is_staff = True
    lan.save(update_fields=["is_staff"])
    response = client.post("/accounts/login/", {"identifier": LAN_CITIZEN_ID, "password": PASSWORD})
    assert response["Location"] == "/accounts/login/officer/enrol/"
    assert logged_in_user(client) is None
    assert client.login(username=LAN_CITIZEN_ID, password=PASSWORD) is False
    # "Not you?" and an expired step lead back to the page where the password was typed.
    with override_settings(MOTCUA_LOGIN_PENDING_SECONDS=-1):
        assert client.get("/accounts/login/officer/enrol/")["Location"] == "/accounts/login/"


def test_an_expired_admin_password_step_goes_back_to_the_admin_login(client, quantri, clock):
    admin_password_step(client)
    with override_settings(MOTCUA_LOGIN_PENDING_SECONDS=-1):
        response = client.post("/accounts/login/officer/code/", {"code": clock.code(OPERATOR_SECRET)})
    assert response["Location"] == "/admin/login/"
    assert logged_in_user(client) is None


def test_a_citizen_logged_in_is_told_the_admin_needs_another_account(client, lan):
    client.force_login(lan)
    response = client.get("/admin/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/admin/login/?next=/admin/"
    assert f"Tài khoản {LAN_CITIZEN_ID} đang đăng nhập không có quyền vào trang quản trị." in html


# --- Throttling -----------------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, lan, minh, clock):
    for _ in range(4):
        html = client.post("/accounts/login/", {"identifier": LAN_CITIZEN_ID, "password": "sai"}).content.decode()
        assert LOCKED not in html
    html = client.post("/accounts/login/", {"identifier": LAN_CITIZEN_ID, "password": "sai"}).content.decode()
    assert f"{LOCKED}. Để bảo vệ tài khoản, việc đăng nhập tạm dừng; xin thử lại sau 15 phút." in html

    html = client.post("/accounts/login/", {"identifier": LAN_CITIZEN_ID, "password": PASSWORD}).content.decode()
    assert LOCKED in html
    assert logged_in_user(client) is None

    # Other accounts, from the same address, are unaffected.
    officer_password_step(client)
    client.post("/accounts/login/officer/code/", {"code": clock.code(MINH_SECRET)})
    assert logged_in_user(client) == minh


def test_a_lock_looks_the_same_whether_or_not_the_account_exists(client, lan):
    refusals = []
    for identifier in (LAN_CITIZEN_ID, "048095009999"):
        for _ in range(5):
            response = client.post("/accounts/login/", {"identifier": identifier, "password": "sai"})
        html = response.content.decode()
        refusals.append(re.search(r'<div class="errors" role="alert">.*?</div>', html, re.S).group(0))
    assert LOCKED in refusals[0]
    assert refusals[0] == refusals[1]


def test_twenty_failures_from_one_address_lock_every_account_from_it(client, lan):
    for n in range(20):
        client.post("/accounts/login/", {"identifier": f"04809500{n:04d}", "password": "sai"})
    html = client.post("/accounts/login/", {"identifier": LAN_CITIZEN_ID, "password": PASSWORD}).content.decode()
    assert LOCKED in html
    other = client.post(
        "/accounts/login/", {"identifier": LAN_CITIZEN_ID, "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )
    assert other.status_code == 302


def test_wrong_codes_count_towards_the_lock(client, minh, clock):
    officer_password_step(client)
    wrong = clock.code(MINH_SECRET, offset_steps=5)
    for _ in range(4):
        assert WRONG_CODE in client.post("/accounts/login/officer/code/", {"code": wrong}).content.decode()
    html = client.post("/accounts/login/officer/code/", {"code": wrong}).content.decode()
    assert LOCKED in html
    # The pending step is dropped, and the password step is refused too, even with the right password.
    assert client.post("/accounts/login/officer/code/", {"code": clock.code(MINH_SECRET)}).status_code == 302
    assert LOCKED in officer_password_step(client).content.decode()
    assert logged_in_user(client) is None


def test_the_admin_login_is_throttled_too(client, quantri, clock):
    for _ in range(5):
        admin_password_step(client, password="sai")
    html = admin_password_step(client).content.decode()
    assert LOCKED in html
    assert logged_in_user(client) is None


def test_wrong_codes_after_the_admin_password_count_towards_the_lock(client, quantri, clock):
    admin_password_step(client)
    wrong = clock.code(OPERATOR_SECRET, offset_steps=5)
    for _ in range(4):
        assert WRONG_CODE in client.post("/accounts/login/officer/code/", {"code": wrong}).content.decode()
    assert LOCKED in client.post("/accounts/login/officer/code/", {"code": wrong}).content.decode()
    assert LOCKED in admin_password_step(client).content.decode()
    assert logged_in_user(client) is None
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"


def test_a_successful_login_clears_earlier_failures(client, lan):
    for _ in range(4):
        client.post("/accounts/login/", {"identifier": LAN_CITIZEN_ID, "password": "sai"})
    client.post("/accounts/login/", {"identifier": LAN_CITIZEN_ID, "password": PASSWORD})
    client.post("/accounts/logout/")
    for _ in range(4):
        client.post("/accounts/login/", {"identifier": LAN_CITIZEN_ID, "password": "sai"})
    assert client.post("/accounts/login/", {"identifier": LAN_CITIZEN_ID, "password": PASSWORD}).status_code == 302


# --- My account -----------------------------------------------------------------------------------------------


def test_my_account_needs_a_login(client):
    response = client.get("/accounts/me/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/accounts/me/"


def test_my_account_shows_a_citizen_id_masked_but_the_last_four_digits(client, lan):
    client.force_login(lan)
    html = client.get("/accounts/me/").content.decode()
    assert "Nguyễn Thị Lan" in html and "Công dân" in html
    assert LAN_CITIZEN_ID not in html
    assert "8 chữ số đầu được ẩn, 4 chữ số cuối:" in html and "</span>1234</dd>" in html


def test_my_account_lists_an_officers_roles(client, minh, hai_chau_pc):
    services.create_officer(
        username="khac.nv", full_name="Khác", password=PASSWORD, memberships=[(hai_chau_pc, "auditor")]
    )
    client.force_login(minh)
    html = client.get("/accounts/me/").content.decode()
    assert "Trần Văn Minh" in html and "Cán bộ, công chức" in html and "minh.tv" in html
    assert "Ủy ban nhân dân phường Hải Châu" in html and "H17.80.01" in html
    assert "Cán bộ tiếp nhận (một cửa)" in html and "Chuyên viên xử lý" in html
    assert "Kiểm tra, giám sát" not in html  # someone else's role


def test_the_header_offers_login_or_logout(client, lan):
    html = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in html and 'href="/accounts/register/"' in html
    client.force_login(lan)
    html = client.get("/").content.decode()
    assert 'href="/accounts/me/"' in html and 'action="/accounts/logout/"' in html
    assert 'href="/accounts/login/"' not in html
