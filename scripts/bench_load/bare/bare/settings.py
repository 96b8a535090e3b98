"""Settings of the bare baseline: only what a JSON API over one table needs (no sessions, auth, CSRF, i18n)."""

import os

import dj_database_url

SECRET_KEY = os.environ.get("BARE_SECRET_KEY", "bare-baseline-not-secret-only-for-benchmarks-0123456789")
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["bare"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bare.urls"
WSGI_APPLICATION = "bare.wsgi.application"
# The same connection handling as motcua's settings (persistent connections with health checks), so the
# comparison is about the work done per request, not about connecting.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("BARE_DATABASE_URL", "sqlite:///bare.sqlite3"), conn_max_age=60, conn_health_checks=True
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
