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


# Everything production needs apart from the OTP key (which the test adds when it needs a complete set).
_COMPLETE = {
    "MOTCUA_ENV": "production", "MOTCUA_SECRET_KEY": "k" * 50, "MOTCUA_ALLOWED_HOSTS": "dichvucong.example.vn",
    "MOTCUA_OTP_KEY": "placeholder-replaced-below", "MOTCUA_INSTANCE_CODE": "48",
    "MOTCUA_INSTANCE_KEY_FILE": "/etc/motcua/instance-key.pem", "MOTCUA_SYNC_CONNECTOR": "off",
}  # fmt: skip


@pytest.mark.parametrize(
    "env, message",
    [
        ({"MOTCUA_ENV": "production"}, "MOTCUA_SECRET_KEY is required in production"),
        ({"MOTCUA_ENV": "production", "MOTCUA_SECRET_KEY": "short"}, "at least 40 characters"),
        ({"MOTCUA_ENV": "production", "MOTCUA_SECRET_KEY": "k" * 50}, "MOTCUA_ALLOWED_HOSTS is required"),
        ({"MOTCUA_ENV": "staging"}, "is not one of development, test, production"),
        ({"MOTCUA_DEBUG": "maybe"}, "is not a boolean"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "must point to PostgreSQL or SQLite"),
        ({"MOTCUA_TASK_BACKEND": "redis"}, "MOTCUA_TASK_BACKEND=redis needs REDIS_URL"),
        ({"MOTCUA_TASK_BACKEND": "celery"}, "is not one of sqlite, redis or immediate"),
        ({"MOTCUA_STORAGE": "s3", "MOTCUA_S3_BUCKET": "hoso"}, "MOTCUA_STORAGE=s3 needs MOTCUA_S3_ENDPOINT_URL"),
        ({"MOTCUA_STORAGE": "ftp"}, "is not one of local or s3"),
        ({"MOTCUA_ROLE": "regional"}, "is not one of provincial or national"),
        ({"MOTCUA_SYNC_CONNECTOR": "motcua"}, "needs MOTCUA_NATIONAL_URL"),
        ({"MOTCUA_SYNC_CONNECTOR": "email"}, "is not one of motcua, loopback or off"),
        ({**_COMPLETE, "MOTCUA_INSTANCE_CODE": ""}, "Set MOTCUA_INSTANCE_CODE"),
        ({**_COMPLETE, "MOTCUA_INSTANCE_KEY_FILE": ""}, "instance_key new --output FILE"),
        ({**_COMPLETE, "MOTCUA_SYNC_CONNECTOR": ""}, "Set MOTCUA_SYNC_CONNECTOR"),
        ({**_COMPLETE, "MOTCUA_SYNC_CONNECTOR": "loopback"}, "loopback is for development"),
    ],
)
def test_bad_settings_stop_start_up_with_a_fix(env, message):
    from cryptography.fernet import Fernet

    if env.get("MOTCUA_OTP_KEY"):
        env = {**env, "MOTCUA_OTP_KEY": Fernet.generate_key().decode()}
    result = start(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_start_when_complete():
    from cryptography.fernet import Fernet

    result = start(**{**_COMPLETE, "MOTCUA_OTP_KEY": Fernet.generate_key().decode()})
    assert result.returncode == 0, result.stderr


def test_tests_run_with_secure_defaults():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.SESSION_COOKIE_HTTPONLY
    assert not settings.DEBUG


def test_the_test_environment_is_in_force():
    assert settings.ENVIRONMENT == "test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_s3_storage_and_redis_are_configuration_only():
    """Object storage through django-storages and Redis for cache, sessions and the task queue are chosen by the
    environment alone (nothing is contacted at start-up)."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "from django.core.files.storage import storages; from huey.contrib.djhuey import HUEY; "
            "d = storages['default']; print(type(d).__name__, d.bucket_name, "
            "s.SESSION_ENGINE, s.CACHES['default']['BACKEND'], type(HUEY).__name__)",
        ],
        env={key: value for key, value in os.environ.items() if not key.startswith(("MOTCUA_", "DATABASE_URL"))}
        | {
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "MOTCUA_VAR_DIR": "/tmp/motcua-settings-test",
            "MOTCUA_STORAGE": "s3",
            "MOTCUA_S3_BUCKET": "hoso-danang",
            "MOTCUA_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "REDIS_URL": "redis://127.0.0.1:6379/9",
        },
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage",
        "hoso-danang",
        "django.contrib.sessions.backends.cached_db",
        "django.core.cache.backends.redis.RedisCache",
        "RedisHuey",
    ]
