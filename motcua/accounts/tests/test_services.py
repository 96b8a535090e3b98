"""Account services: registration, officers, one-time-code enrolment and verification."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from motcua.accounts import services, totp
from motcua.accounts.models import Membership, OtpDevice, User, UserKind
from motcua.accounts.tests.conftest import LAN_CITIZEN_ID, MINH_SECRET, PASSWORD
from motcua.catalog.models import OfficerRole

pytestmark = pytest.mark.django_db


def test_register_citizen_makes_the_citizen_id_the_username():
    user = services.register_citizen(
        full_name="  Nguyễn   Thị Lan ", citizen_id=LAN_CITIZEN_ID, password=PASSWORD, phone="+84 905.123.456"
    )
    user.refresh_from_db()
    assert (user.username, user.citizen_id, user.kind) == (LAN_CITIZEN_ID, LAN_CITIZEN_ID, UserKind.CITIZEN)
    assert user.full_name == "Nguyễn Thị Lan"
    assert user.phone == "0905123456"
    assert user.check_password(PASSWORD)


def test_register_citizen_reports_every_problem_by_field_and_writes_nothing():
    with pytest.raises(ValidationError) as error:
        services.register_citizen(full_name="Lan", citizen_id="003095001234", password=PASSWORD, phone="12345")
    assert set(error.value.message_dict) == {"citizen_id"}  # checked first: the identifier
    with pytest.raises(ValidationError) as error:
        services.register_citizen(full_name="Lan", citizen_id=LAN_CITIZEN_ID, password=PASSWORD, phone="12345")
    assert set(error.value.message_dict) == {"phone"}
    with pytest.raises(ValidationError) as error:
        services.register_citizen(
            full_name="Lan", citizen_id=LAN_CITIZEN_ID, password="123456789012", phone="0905123456"
        )
    assert "password" in error.value.message_dict
    assert not User.objects.exists()


def test_a_citizen_id_registers_once(lan):
    with pytest.raises(ValidationError) as error:
        services.register_citizen(
            full_name="Kẻ mạo danh", citizen_id=LAN_CITIZEN_ID, password=PASSWORD, phone="0905000000"
        )
    assert error.value.message_dict["citizen_id"] == [
        "Số định danh cá nhân này đã có tài khoản. Nếu đó là bạn, hãy đăng nhập."
    ]
    assert User.objects.count() == 1


def test_register_organisation_with_a_tax_code():
    user = services.register_organisation(
        name="Công ty TNHH Sông Hàn", tax_code="0100112437", password=PASSWORD, phone="0236 3822 222"
    )
    assert (user.username, user.tax_code, user.kind, user.full_name) == (
        "0100112437",
        "0100112437",
        UserKind.ORGANISATION,
        "Công ty TNHH Sông Hàn",
    )
    assert user.phone == "02363822222"
    with pytest.raises(ValidationError) as error:
        services.register_organisation(name="X", tax_code="0100112438", password=PASSWORD, phone="0905123456")
    assert error.value.message_dict["tax_code"] == ["Mã số thuế không đúng (sai chữ số kiểm tra)."]


def test_create_officer_with_memberships_and_a_known_secret(minh, hai_chau_pc, clock):
    assert minh.kind == UserKind.OFFICER and not minh.is_staff
    assert set(Membership.objects.filter(user=minh).values_list("role", flat=True)) == {
        OfficerRole.RECEPTION,
        OfficerRole.SPECIALIST,
    }
    device = minh.otp_device
    assert device.confirmed and device.secret == MINH_SECRET and device.confirmed_at is not None
    assert services.verify_totp(user=minh, code=clock.code(MINH_SECRET))


def test_create_officer_refuses_a_taken_username_or_a_weak_password(minh, hai_chau_pc):
    with pytest.raises(ValidationError) as error:
        services.create_officer(username="minh.tv", full_name="Khác", password=PASSWORD, memberships=[])
    assert "username" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_officer(username="an.nv", full_name="Nguyễn Văn An", password="12345678", memberships=[])
    assert "password" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.create_officer(
            username="an.nv", full_name="Nguyễn Văn An", password=PASSWORD, memberships=[(hai_chau_pc, "mayor")]
        )
    assert not User.objects.filter(username="an.nv").exists()  # one transaction: no half-made officer


def test_verify_totp_accepts_a_code_once(minh, clock):
    code = clock.code(MINH_SECRET)
    assert services.verify_totp(user=minh, code=code)
    assert not services.verify_totp(user=minh, code=code)  # replay within its window
    clock.advance(30)
    assert not services.verify_totp(user=minh, code=code)  # still within tolerance, still used
    assert services.verify_totp(user=minh, code=clock.code(MINH_SECRET))


def test_an_older_code_is_refused_after_a_newer_one(minh, clock):
    older = clock.code(MINH_SECRET, offset_steps=-1)
    assert services.verify_totp(user=minh, code=clock.code(MINH_SECRET))
    assert not services.verify_totp(user=minh, code=older)


def test_verify_totp_refuses_wrong_codes_and_users_without_a_device(minh, lan, clock):
    assert not services.verify_totp(user=minh, code=clock.code(MINH_SECRET, offset_steps=2))
    assert not services.verify_totp(user=minh, code="000000" if clock.code(MINH_SECRET) != "000000" else "111111")
    assert not services.verify_totp(user=lan, code=clock.code(MINH_SECRET))


def test_enrolment_keeps_a_waiting_secret_and_the_first_code_confirms_it(hoa, clock):
    device = services.enrol_totp(user=hoa)
    assert not device.confirmed and len(device.secret) == 32
    assert services.enrol_totp(user=hoa).secret == device.secret  # a reload shows the same secret
    assert services.verify_totp(user=hoa, code=clock.code(device.secret))
    device.refresh_from_db()
    assert device.confirmed and device.confirmed_at is not None
    assert services.enrol_totp(user=hoa).secret == device.secret  # a confirmed device is never replaced silently


def test_a_given_secret_replaces_the_device_and_reset_forgets_it(hoa, clock):
    services.enrol_totp(user=hoa)
    device = services.enrol_totp(user=hoa, secret="jbsw y3dp ehpk 3pxp", confirmed=True)
    assert device.secret == "JBSWY3DPEHPK3PXP" and device.confirmed
    assert OtpDevice.objects.filter(user=hoa).count() == 1
    services.reset_totp(user=hoa)
    assert not OtpDevice.objects.filter(user=hoa).exists()


@pytest.mark.parametrize(
    "raw, normalised",
    [("0905123456", "0905123456"), ("+84 905 123 456", "0905123456"), ("84905123456", "0905123456"),
     ("0236.3822.222", "02363822222")],
)  # fmt: skip
def test_phone_numbers_are_normalised(raw, normalised):
    assert services.normalise_phone(raw) == normalised


@pytest.mark.parametrize("raw", ["", "12345", "905123456", "09051234567890", "0905-abc-456"])
def test_malformed_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        services.normalise_phone(raw)


def test_the_totp_clock_fixture_drives_the_module(clock):
    assert totp.now() == clock.time
