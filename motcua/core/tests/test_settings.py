"""Settings fail at start-up with a message that says how to fix them."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("MOTCUA_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=clean | {"DJANGO_SETTINGS_MODULE": "motcua.settings", "MOTCUA_VAR_DIR": "/tmp/motcua-settings-test"} | env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({"MOTCUA_ENV": "production"}, "MOTCUA_SECRET_KEY is required in production"),
        ({"MOTCUA_ENV": "production", "MOTCUA_SECRET_KEY": "short"}, "at least 40 characters"),
        ({"MOTCUA_ENV": "production", "MOTCUA_SECRET_KEY": "k" * 50}, "MOTCUA_ALLOWED_HOSTS is required"),
        ({"MOTCUA_ENV": "staging"}, "is not one of development, test, production"),
        ({"MOTCUA_DEBUG": "maybe"}, "is not a boolean"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "must point to PostgreSQL or SQLite"),
    ],
)
def test_bad_settings_stop_start_up_with_a_fix(env, message):
    result = start(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_start_when_complete():
    from cryptography.fernet import Fernet

    result = start(
        MOTCUA_ENV="production", MOTCUA_SECRET_KEY="k" * 50, MOTCUA_ALLOWED_HOSTS="dichvucong.example.vn",
        MOTCUA_OTP_KEY=Fernet.generate_key().decode(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_tests_run_with_secure_defaults():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.SESSION_COOKIE_HTTPONLY
    assert not settings.DEBUG


def test_the_test_environment_is_in_force():
    assert settings.ENVIRONMENT == "test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
