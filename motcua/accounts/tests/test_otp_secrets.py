"""Authenticator secrets are encrypted at rest with MOTCUA_OTP_KEY: the database never holds them in clear,
codes still verify, keys can be rotated, a wrong key fails with a message saying how to fix it, and the data
migration encrypts the secrets stored in clear before it (and decrypts them when reversed)."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from motcua.accounts import otp_crypto, services
from motcua.accounts.models import OtpDevice
from motcua.accounts.tests.conftest import MINH_SECRET, PASSWORD
from motcua.core.testing import migrate_test_database, migrations_restored

SECRET_ONLY = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"  # a clear base32 secret only the migration test stores


def raw_secret(user) -> str:
    """The column as the database holds it, read without the model."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT encrypted_secret FROM accounts_otpdevice WHERE user_id = %s", [user.pk])
        return cursor.fetchone()[0]


def new_key() -> str:
    return Fernet.generate_key().decode()


def call_command_output(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- At rest ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_never_holds_the_clear_secret(minh, hoa, clock):
    stored = raw_secret(minh)
    assert MINH_SECRET not in stored and stored.startswith("gAAAAA")  # a Fernet token
    assert Fernet(django_settings.MOTCUA_OTP_KEYS[0]).decrypt(stored.encode()).decode() == MINH_SECRET
    # Every way a secret is written encrypts it: a random enrolment, a given secret.
    device = services.enrol_totp(user=hoa)
    assert device.secret not in raw_secret(hoa) and len(device.secret) == 32
    services.reset_totp(user=hoa)
    services.enrol_totp(user=hoa, secret="jbsw y3dp ehpk 3pxp", confirmed=True)
    assert "JBSWY3DPEHPK3PXP" not in raw_secret(hoa).upper()
    assert OtpDevice.objects.get(user=hoa).secret == "JBSWY3DPEHPK3PXP"


@pytest.mark.django_db
def test_each_encryption_differs_so_equal_secrets_do_not_show(minh, hai_chau_pc):
    twin = services.create_officer(
        username="an.nv", full_name="Nguyễn Văn An", password=PASSWORD, memberships=[], otp_secret=MINH_SECRET
    )
    assert raw_secret(twin) != raw_secret(minh)
    assert twin.otp_device.secret == minh.otp_device.secret == MINH_SECRET


@pytest.mark.django_db
def test_codes_still_verify_and_the_verification_leaves_the_secret_encrypted(minh, clock):
    before = raw_secret(minh)
    assert services.verify_totp(user=minh, code=clock.code(MINH_SECRET))
    assert raw_secret(minh) == before
    assert not services.verify_totp(user=minh, code=clock.code(MINH_SECRET))  # still never twice


@pytest.mark.django_db
def test_the_secret_is_not_a_form_field_nor_in_the_devices_text(minh):
    assert not OtpDevice._meta.get_field("encrypted_secret").editable
    device = OtpDevice.objects.get(user=minh)
    assert MINH_SECRET not in str(device) and MINH_SECRET not in repr(device)


# --- Rotation and wrong keys ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rotation_re_encrypts_every_secret_with_the_new_key(minh, hoa, settings, clock):
    services.enrol_totp(user=hoa)
    old_key = settings.MOTCUA_OTP_KEYS[0]
    before = {user.pk: raw_secret(user) for user in (minh, hoa)}
    settings.MOTCUA_OTP_KEYS = [new_key(), old_key]  # new key first, the old one after it

    # Before rotating, secrets under the old key still decrypt and codes still verify.
    assert services.verify_totp(user=minh, code=clock.code(MINH_SECRET))
    out = call_command_output("rotate_otp_secrets")
    assert "Re-encrypted 2 authenticator secret(s)" in out and "0 already used it" in out
    for user in (minh, hoa):
        after = raw_secret(user)
        assert after != before[user.pk]
        assert Fernet(settings.MOTCUA_OTP_KEYS[0]).decrypt(after.encode())  # under the new key alone

    # The old key can go: everything still works without it.
    settings.MOTCUA_OTP_KEYS = settings.MOTCUA_OTP_KEYS[:1]
    clock.advance(30)
    assert services.verify_totp(user=minh, code=clock.code(MINH_SECRET))
    assert "Re-encrypted 0 authenticator secret(s)" in call_command_output("rotate_otp_secrets")


@pytest.mark.django_db
def test_a_wrong_key_fails_clearly_and_rotation_changes_nothing(minh, hoa, settings, clock):
    services.enrol_totp(user=hoa)
    before = raw_secret(minh)
    settings.MOTCUA_OTP_KEYS = [new_key()]  # the key was replaced without keeping the old one

    with pytest.raises(otp_crypto.SecretUnreadable) as error:
        services.verify_totp(user=minh, code=clock.code(MINH_SECRET))
    message = str(error.value)
    assert f"user #{minh.pk}" in message and "MOTCUA_OTP_KEY=<new key>,<old key>" in message
    assert MINH_SECRET not in message

    with pytest.raises(CommandError) as error:
        call_command("rotate_otp_secrets")
    assert "minh.tv, hoa.lt cannot be decrypted" in str(error.value) and "Nothing was re-encrypted" in str(error.value)
    assert raw_secret(minh) == before


@pytest.mark.django_db
def test_a_wrong_key_makes_the_code_step_fail_rather_than_let_anyone_in(client, minh, settings, clock):
    client.post("/accounts/login/officer/", {"identifier": "minh.tv", "password": PASSWORD})
    settings.MOTCUA_OTP_KEYS = [new_key()]
    client.raise_request_exception = True
    with pytest.raises(otp_crypto.SecretUnreadable):
        client.post("/accounts/login/officer/code/", {"code": clock.code(MINH_SECRET)})
    assert "_auth_user_id" not in client.session


# --- The data migration -----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_encrypts_clear_secrets_and_reversing_it_decrypts_them():
    before_data = [("accounts", "0004_otp_device_encrypted_secret_column")]
    with migrations_restored() as latest:
        executor = migrate_test_database(before_data)
        apps = executor.loader.project_state(before_data).apps
        user = apps.get_model("accounts", "User").objects.create(username="cu.nv", kind="officer", password="!")
        device_model = apps.get_model("accounts", "OtpDevice")
        device_model.objects.create(user_id=user.pk, encrypted_secret=SECRET_ONLY, confirmed=False)
        assert raw_secret(user) == SECRET_ONLY  # in clear, as before this change

        migrate_test_database(latest)
        stored = raw_secret(user)
        assert SECRET_ONLY not in stored
        assert OtpDevice.objects.get(user_id=user.pk).secret == SECRET_ONLY

        migrate_test_database(before_data)  # reversed: in clear again
        assert raw_secret(user) == SECRET_ONLY
        migrate_test_database([("accounts", "0003_api_tokens")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT secret FROM accounts_otpdevice WHERE user_id = %s", [user.pk])
            assert cursor.fetchone()[0] == SECRET_ONLY

        migrate_test_database(latest)  # and forwards again, as a fresh deployment would
        assert OtpDevice.objects.get(user_id=user.pk).secret == SECRET_ONLY
        assert SECRET_ONLY not in raw_secret(user)


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_leaves_encrypted_secrets_alone_and_refuses_unreadable_ones(settings):
    before_data = [("accounts", "0004_otp_device_encrypted_secret_column")]
    with migrations_restored() as latest:
        executor = migrate_test_database(before_data)
        apps = executor.loader.project_state(before_data).apps
        user_model = apps.get_model("accounts", "User")
        device_model = apps.get_model("accounts", "OtpDevice")
        done = user_model.objects.create(username="da.ma", kind="officer", password="!")
        token = otp_crypto.encrypt(SECRET_ONLY)
        device_model.objects.create(user_id=done.pk, encrypted_secret=token, confirmed=False)
        migrate_test_database(latest)
        assert raw_secret(done) == token  # encrypted once, not twice

        migrate_test_database(before_data)
        foreign = user_model.objects.create(username="la.ma", kind="officer", password="!")
        device_model.objects.create(
            user_id=foreign.pk, encrypted_secret=Fernet(new_key()).encrypt(b"ABCD").decode(), confirmed=False
        )
        with pytest.raises(RuntimeError, match=f"user #{foreign.pk} is neither a clear secret nor one"):
            migrate_test_database(latest)
        device_model.objects.filter(user_id=foreign.pk).delete()


# --- Settings ---------------------------------------------------------------------------------------------------


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("MOTCUA_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(len(settings.MOTCUA_OTP_KEYS))"],
        env=clean | {"DJANGO_SETTINGS_MODULE": "motcua.settings"} | env,
        capture_output=True, text=True, cwd=django_settings.BASE_DIR, timeout=60,
    )  # fmt: skip


PRODUCTION = {
    "MOTCUA_ENV": "production", "MOTCUA_SECRET_KEY": "k" * 50, "MOTCUA_ALLOWED_HOSTS": "dichvucong.vn",
    "MOTCUA_INSTANCE_CODE": "48", "MOTCUA_INSTANCE_KEY_FILE": "/etc/motcua/instance-key.pem",
    "MOTCUA_SYNC_CONNECTOR": "off",
}  # fmt: skip


def test_production_needs_an_otp_key_and_says_how_to_make_one(tmp_path):
    result = start(**PRODUCTION, MOTCUA_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "MOTCUA_OTP_KEY is required in production" in result.stderr
    assert "Fernet.generate_key().decode()" in result.stderr


def test_a_malformed_otp_key_stops_start_up_without_showing_it(tmp_path):
    result = start(**PRODUCTION, MOTCUA_VAR_DIR=str(tmp_path), MOTCUA_OTP_KEY=f"{new_key()},not-a-key-xyz")
    assert result.returncode != 0
    assert "MOTCUA_OTP_KEY: key number 2 is not a Fernet key" in result.stderr
    assert "not-a-key-xyz" not in result.stderr


def test_production_starts_with_a_new_and_an_old_key(tmp_path):
    result = start(**PRODUCTION, MOTCUA_VAR_DIR=str(tmp_path), MOTCUA_OTP_KEY=f"{new_key()}, {new_key()}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"


def test_development_keeps_its_generated_key_in_var(tmp_path):
    first = start(MOTCUA_ENV="development", MOTCUA_VAR_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "dev-otp-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = key_file.read_text()
    Fernet(key)
    assert start(MOTCUA_ENV="development", MOTCUA_VAR_DIR=str(tmp_path)).returncode == 0
    assert key_file.read_text() == key  # the same key after a restart


def test_tests_use_a_key_of_their_own():
    assert len(django_settings.MOTCUA_OTP_KEYS) == 1
    Fernet(django_settings.MOTCUA_OTP_KEYS[0])
