"""The demo that `make run` serves still lets its administrator in: `quantri` has the published demo secret,
so `manage.py demo_code` gives the code the admin site now asks for after the password."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from motcua.accounts.models import OtpDevice, User
from motcua.demo.services import DEMO_ADMIN_USERNAME, DEMO_TOTP_SECRET, demo_admin_password

pytestmark = pytest.mark.django_db


def demo_code() -> str:
    out = io.StringIO()
    call_command("demo_code", stdout=out)
    return out.getvalue().split()[0]


def test_the_demo_administrator_logs_in_to_the_admin_with_the_demo_code(client, settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    administrator = User.objects.get(username=DEMO_ADMIN_USERNAME)
    assert administrator.otp_device.confirmed and administrator.otp_device.secret == DEMO_TOTP_SECRET
    with connection.cursor() as cursor:
        cursor.execute("SELECT encrypted_secret FROM accounts_otpdevice")
        assert all(DEMO_TOTP_SECRET not in row[0] for row in cursor.fetchall())

    response = client.post("/admin/login/?next=/admin/", {"identifier": "quantri", "password": demo_admin_password()})
    assert response["Location"] == "/accounts/login/officer/code/"
    assert client.get("/admin/").status_code == 302
    response = client.post("/accounts/login/officer/code/", {"code": demo_code()})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_seeding_again_gives_an_earlier_demo_administrator_the_demo_secret(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    User.objects.create_superuser(DEMO_ADMIN_USERNAME, "quantri@example.invalid", demo_admin_password())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "demo_code" in out.getvalue()
    assert OtpDevice.objects.get(user__username=DEMO_ADMIN_USERNAME).secret == DEMO_TOTP_SECRET
    # A device whose secret the current key cannot read (var/dev-otp-key removed) gets the demo secret again.
    OtpDevice.objects.filter(user__username="tiepnhan.haichau").update(encrypted_secret="gAAAAA-unreadable")
    call_command("seed_demo", stdout=io.StringIO())
    assert OtpDevice.objects.get(user__username="tiepnhan.haichau").secret == DEMO_TOTP_SECRET
