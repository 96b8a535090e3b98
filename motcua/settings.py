"""Settings for motcua, read from the environment.

Every value has a safe default for development. Outside development the values that must be
chosen by the operator (secret key, allowed hosts) are required, and start-up fails with a
message that says how to fix it.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", BASE_DIR / "var"))

ENVIRONMENTS = ("development", "test", "production")
ENVIRONMENT = os.environ.get("MOTCUA_ENV", "development")
if ENVIRONMENT not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"MOTCUA_ENV={ENVIRONMENT!r} is not one of {', '.join(ENVIRONMENTS)}. "
        "Set MOTCUA_ENV=production on servers, or leave it unset for development."
    )
IS_PRODUCTION = ENVIRONMENT == "production"


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _development_secret(name: str) -> str:
    """A random secret kept in var/, so that development sessions survive a restart and every process of
    `make run` (the web workers and the task worker) shares it."""
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        try:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
                file.write(secrets.token_urlsafe(50))
        except FileExistsError:  # another process of `make run` made it a moment ago
            pass
    return path.read_text().strip()


SECRET_KEY = os.environ.get("MOTCUA_SECRET_KEY", "")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "MOTCUA_SECRET_KEY is required in production. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` and set it in the environment."
        )
    SECRET_KEY = secrets.token_urlsafe(50) if ENVIRONMENT == "test" else _development_secret("dev-secret-key")
elif IS_PRODUCTION and len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("MOTCUA_SECRET_KEY must be at least 40 characters long in production.")

DEBUG = env_bool("MOTCUA_DEBUG", ENVIRONMENT == "development")
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("MOTCUA_DEBUG must be off in production: unset it or set MOTCUA_DEBUG=0.")

ALLOWED_HOSTS = env_list(
    "MOTCUA_ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "MOTCUA_ALLOWED_HOSTS is required in production: a comma-separated list such as "
        "MOTCUA_ALLOWED_HOSTS=dichvucong.danang.gov.vn"
    )
CSRF_TRUSTED_ORIGINS = env_list("MOTCUA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "huey.contrib.djhuey",
    "motcua.core",
    "motcua.events",
    "motcua.catalog",
    "motcua.accounts",
    "motcua.workdays",
    "motcua.documents",
    "motcua.wallet",
    "motcua.dossiers",
    "motcua.notify",
    "motcua.payments",
    "motcua.signing",
    "motcua.feedback",
    "motcua.metrics",
    "motcua.regulations",
    "motcua.sync",
    "motcua.national",
    "motcua.exchange",
    "motcua.portal",
    "motcua.backoffice",
    "motcua.demo",
]

MIDDLEWARE = [
    "motcua.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "motcua" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.portal.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite (WAL) in var/ by default; DATABASE_URL switches to PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL could not be read ({exc}). Use postgres://USER:PASSWORD@HOST:5432/NAME "
            "or sqlite:////absolute/path/db.sqlite3."
        ) from exc
    if DATABASES["default"]["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL or SQLite.")
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "motcua.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL and a busy timeout let the web process and a management command share the file.
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    DATABASES["default"].pop("CONN_HEALTH_CHECKS", None)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not Django's default shared in-memory database: only a file has SQLite's real
    # locking (busy timeout, WAL), which the concurrency tests exercise.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis (REDIS_URL) is the cache of every process: login and lookup throttles, rate limits, and sessions
# (read from the cache, kept in the database). Without it each process caches and counts on its own.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Background work runs on huey: the outbox relay (motcua.events) and the periodic jobs of each app's tasks.py.
# MOTCUA_TASK_BACKEND: `sqlite` keeps the queue in a file in var/, worked by one `manage.py run_huey` beside the
# web server (`make run` starts both; no other service); `redis` queues in REDIS_URL (production, several web
# and worker processes); `immediate` runs each task in the process that queues it, at once (tests).
MOTCUA_TASK_BACKEND = os.environ.get(
    "MOTCUA_TASK_BACKEND", "immediate" if ENVIRONMENT == "test" else ("redis" if REDIS_URL else "sqlite")
)
MOTCUA_TASK_WORKERS = int(os.environ.get("MOTCUA_TASK_WORKERS", 2))
_huey_consumer = {"workers": MOTCUA_TASK_WORKERS, "worker_type": "thread"}
# Periodic jobs' crontabs are read in UTC (Việt Nam is UTC+7): each tasks.py says its times in both.
if MOTCUA_TASK_BACKEND == "sqlite":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "motcua",
        "filename": os.environ.get("MOTCUA_TASK_SQLITE", str(VAR_DIR / "tasks.sqlite3")),
        "results": False,
        "utc": True,
        "immediate": False,
        "consumer": _huey_consumer,
    }
elif MOTCUA_TASK_BACKEND == "redis":
    if not REDIS_URL:
        raise ImproperlyConfigured(
            "MOTCUA_TASK_BACKEND=redis needs REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0; or set "
            "MOTCUA_TASK_BACKEND=sqlite to keep the task queue in a local file (one machine only)."
        )
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "motcua",
        "url": REDIS_URL,
        "results": False,
        "utc": True,
        "immediate": False,
        "consumer": _huey_consumer,
    }
elif MOTCUA_TASK_BACKEND == "immediate":
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "MOTCUA_TASK_BACKEND=immediate runs background work inside web requests: use redis (or sqlite on "
            "one machine) in production."
        )
    HUEY = {"huey_class": "huey.MemoryHuey", "name": "motcua", "results": False, "utc": True, "immediate": True}
else:
    raise ImproperlyConfigured(f"MOTCUA_TASK_BACKEND={MOTCUA_TASK_BACKEND!r} is not one of sqlite, redis or immediate.")

AUTH_USER_MODEL = "accounts.User"
if ENVIRONMENT == "test":
    # Hashing strength is not under test; the default costs ~0.3 s per user created.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Officers, operators and staff never log in with a password alone (the admin too): see motcua/accounts/backends.py.
AUTHENTICATION_BACKENDS = ["motcua.accounts.backends.AccountBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:account"
# Failed logins (a wrong password or one-time code): after this many for one account, or from one IP
# address, within the window, further attempts are refused for the lockout period. Counted in the cache:
# set REDIS_URL when several processes serve the site, or each counts on its own.
MOTCUA_LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("MOTCUA_LOGIN_FAILURES_PER_ACCOUNT", 5))
MOTCUA_LOGIN_FAILURES_PER_IP = int(os.environ.get("MOTCUA_LOGIN_FAILURES_PER_IP", 20))
MOTCUA_LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("MOTCUA_LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60))
MOTCUA_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("MOTCUA_LOGIN_LOCKOUT_SECONDS", 15 * 60))
# The request header (as in request.META, e.g. HTTP_X_REAL_IP) in which a trusted reverse proxy puts the
# client's address; empty means REMOTE_ADDR. Only set it when the proxy overwrites the header.
MOTCUA_CLIENT_IP_HEADER = os.environ.get("MOTCUA_CLIENT_IP_HEADER", "")
# Officers' one-time codes (TOTP): the name shown in their authenticator app, how many 30-second steps
# either side of now a code may be, and how long the password step stays valid while the code is awaited.
MOTCUA_TOTP_ISSUER = os.environ.get("MOTCUA_TOTP_ISSUER", "motcua")
MOTCUA_TOTP_TOLERANCE_STEPS = int(os.environ.get("MOTCUA_TOTP_TOLERANCE_STEPS", 1))
MOTCUA_LOGIN_PENDING_SECONDS = int(os.environ.get("MOTCUA_LOGIN_PENDING_SECONDS", 5 * 60))
# A walk-in's account activation code (mã kích hoạt), given at the desk, is valid this many days.
MOTCUA_ACCOUNT_CLAIM_DAYS = int(os.environ.get("MOTCUA_ACCOUNT_CLAIM_DAYS", 30))


# The authenticator secrets are stored encrypted (Fernet) with MOTCUA_OTP_KEY: one key, or several separated by
# commas, the newest first. Only the first encrypts; the others still decrypt what they encrypted until
# `manage.py rotate_otp_secrets` re-encrypts everything with the first. Outside production a key is generated
# (kept in var/ in development). Lose the key and no officer or operator can log in: back it up apart from the
# database.
def otp_keys(raw: list[str]) -> list[str]:
    """The Fernet keys of MOTCUA_OTP_KEY, newest first; raises ImproperlyConfigured, saying how to fix it."""
    from cryptography.fernet import Fernet

    howto = (
        'Generate a key with `python -c "from cryptography.fernet import Fernet; '
        'print(Fernet.generate_key().decode())"` and set MOTCUA_OTP_KEY to it; to change the key, set '
        "MOTCUA_OTP_KEY=<new key>,<old key>, run `python manage.py rotate_otp_secrets`, then drop the old key."
    )
    if not raw:
        if IS_PRODUCTION:
            raise ImproperlyConfigured(
                "MOTCUA_OTP_KEY is required in production: it encrypts the authenticator (TOTP) secrets of "
                f"officers and operators. {howto}"
            )
        if ENVIRONMENT == "test":
            return [Fernet.generate_key().decode()]
        path = VAR_DIR / "dev-otp-key"
        if not path.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            try:
                with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
                    file.write(Fernet.generate_key().decode())
            except FileExistsError:  # another process made it a moment ago
                pass
        return [path.read_text().strip()]
    for position, key in enumerate(raw, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"MOTCUA_OTP_KEY: key number {position} is not a Fernet key (32 bytes in url-safe base64, "
                f"44 characters). {howto}"
            ) from None
    return raw


MOTCUA_OTP_KEYS = otp_keys(env_list("MOTCUA_OTP_KEY", []))

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["motcua.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "motcua_language"
LANGUAGE_COOKIE_SECURE = IS_PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MOTCUA_MEDIA_ROOT", VAR_DIR / "media"))
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION
if not IS_PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Stored files (dossier documents, signed results): local files in MEDIA_ROOT by default; MOTCUA_STORAGE=s3 keeps
# them in an S3-compatible bucket (MinIO, Ceph, a cloud's object storage) through django-storages, private, each
# download through the application (the permission layer), never a public URL.
MOTCUA_STORAGE = os.environ.get("MOTCUA_STORAGE", "local")
if MOTCUA_STORAGE == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MOTCUA_STORAGE == "s3":
    _missing = [name for name in ("MOTCUA_S3_BUCKET", "MOTCUA_S3_ENDPOINT_URL") if not os.environ.get(name)]
    if _missing:
        raise ImproperlyConfigured(
            f"MOTCUA_STORAGE=s3 needs {', '.join(_missing)}: the bucket name and the S3 endpoint, e.g. "
            "MOTCUA_S3_BUCKET=motcua-danang MOTCUA_S3_ENDPOINT_URL=https://s3.danang.gov.vn; the credentials come "
            "from MOTCUA_S3_ACCESS_KEY_ID / MOTCUA_S3_SECRET_ACCESS_KEY (or the machine's IAM role)."
        )
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["MOTCUA_S3_BUCKET"],
            "endpoint_url": os.environ["MOTCUA_S3_ENDPOINT_URL"],
            "region_name": os.environ.get("MOTCUA_S3_REGION") or None,
            "access_key": os.environ.get("MOTCUA_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("MOTCUA_S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "location": os.environ.get("MOTCUA_S3_PREFIX", ""),
        },
    }
else:
    raise ImproperlyConfigured(f"MOTCUA_STORAGE={MOTCUA_STORAGE!r} is not one of local or s3.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Security: secure by default, relaxed only where plain-HTTP development needs it.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_SSL_REDIRECT = env_bool("MOTCUA_SSL_REDIRECT", IS_PRODUCTION)
SECURE_HSTS_SECONDS = 31536000 if IS_PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("MOTCUA_BEHIND_PROXY", False) else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Structured logs: one JSON object per line on stderr.
LOG_LEVEL = os.environ.get("MOTCUA_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "motcua.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.server": {"level": "INFO"},
        # The worker (run_huey) adds a plain handler of its own unless the "huey" logger already has one.
        "huey": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}

# The public address of this instance, for links in emails.
MOTCUA_SITE_URL = os.environ.get("MOTCUA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# After a share's page was opened, its files can be downloaded for this long (then the recipient views again).
MOTCUA_SHARE_DOWNLOAD_MINUTES = int(os.environ.get("MOTCUA_SHARE_DOWNLOAD_MINUTES", "60"))
DEFAULT_FROM_EMAIL = os.environ.get("MOTCUA_FROM_EMAIL", "motcua <khong-tra-loi@motcua.invalid>")
EMAIL_BACKEND = os.environ.get("MOTCUA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("MOTCUA_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for the file-based backend
# Shorter than the outbox lease (MOTCUA_OUTBOX_LEASE_SECONDS), so that a hung mail server never lets two
# workers send the same email at once.
EMAIL_TIMEOUT = int(os.environ.get("MOTCUA_EMAIL_TIMEOUT", 30))

# The catalogue lists this many procedures a page; the API caps page_size at MAX.
CATALOG_PAGE_SIZE = 20
WORKLIST_PAGE_SIZE = 25

# Uploads: a dossier component is at most this large (checked by the documents service, by content).
MOTCUA_MAX_UPLOAD_BYTES = int(os.environ.get("MOTCUA_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
API_MAX_PAGE_SIZE = 100

# Payments. Enabled gateways (codes): the sandbox (no money moves; never in production) and VNPay 2.1.0
# when its merchant code and hash secret are set. The sandbox signs with MOTCUA_SANDBOX_GATEWAY_SECRET, or in
# development with a random secret kept in var/ (shared by the processes of `make run`).
VNPAY_TMN_CODE = os.environ.get("VNPAY_TMN_CODE", "")
VNPAY_HASH_SECRET = os.environ.get("VNPAY_HASH_SECRET", "")
VNPAY_PAY_URL = os.environ.get("VNPAY_PAY_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html")
VNPAY_API_URL = os.environ.get("VNPAY_API_URL", "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction")
VNPAY_ORDER_TYPE = os.environ.get("VNPAY_ORDER_TYPE", "other")
VNPAY_EXPIRE_MINUTES = int(os.environ.get("VNPAY_EXPIRE_MINUTES", 15))
# Reconciliation with the gateways (payments.tasks, every 5 minutes): a payment still pending this long after it
# started is asked about (and not again within that time), at most BATCH a run; the sandbox and gateways without
# an expiry of their own give up on an unpaid payment after EXPIRE minutes.
MOTCUA_PAYMENT_QUERY_AFTER_MINUTES = int(os.environ.get("MOTCUA_PAYMENT_QUERY_AFTER_MINUTES", 10))
MOTCUA_PAYMENT_QUERY_BATCH = int(os.environ.get("MOTCUA_PAYMENT_QUERY_BATCH", 200))
MOTCUA_PAYMENT_EXPIRE_MINUTES = int(os.environ.get("MOTCUA_PAYMENT_EXPIRE_MINUTES", 15))
MOTCUA_SANDBOX_GATEWAY_SECRET = os.environ.get("MOTCUA_SANDBOX_GATEWAY_SECRET", "")
if not MOTCUA_SANDBOX_GATEWAY_SECRET and not IS_PRODUCTION:
    MOTCUA_SANDBOX_GATEWAY_SECRET = (
        secrets.token_urlsafe(32) if ENVIRONMENT == "test" else _development_secret("dev-sandbox-gateway-secret")
    )
MOTCUA_PAYMENT_GATEWAYS = env_list(
    "MOTCUA_PAYMENT_GATEWAYS",
    ([] if IS_PRODUCTION else ["sandbox"]) + (["vnpay"] if VNPAY_TMN_CODE and VNPAY_HASH_SECRET else []),
)
if IS_PRODUCTION and "sandbox" in MOTCUA_PAYMENT_GATEWAYS:
    raise ImproperlyConfigured("MOTCUA_PAYMENT_GATEWAYS must not list the sandbox gateway in production.")
if "vnpay" in MOTCUA_PAYMENT_GATEWAYS and not (VNPAY_TMN_CODE and VNPAY_HASH_SECRET):
    raise ImproperlyConfigured(
        "The vnpay gateway needs VNPAY_TMN_CODE and VNPAY_HASH_SECRET (from VNPay's merchant portal)."
    )
if "vnpay" in MOTCUA_PAYMENT_GATEWAYS:
    # The "pay" form posts here and is redirected to VNPay: browsers hold redirects after a form to form-action.
    _vnpay = urlsplit(VNPAY_PAY_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_vnpay.scheme}://{_vnpay.netloc}")

# The demo province: `make run` loads its agencies and communes.
MOTCUA_DEMO_PROVINCE_CODE = os.environ.get("MOTCUA_DEMO_PROVINCE_CODE", "48")

# Signed results (motcua.signing.pki). Each agency signs with its own key, looked up in this order:
#  1. a PKCS#11 token (HSM or USB token): MOTCUA_SIGNING_PKCS11_MODULE (path of the vendor's .so),
#     MOTCUA_SIGNING_PKCS11_TOKEN (token label), MOTCUA_SIGNING_PKCS11_PIN (user PIN); the key and its
#     certificate carry the agency identifier as their label (CKA_LABEL, e.g. "H17.20.194"), or all agencies
#     use the one label MOTCUA_SIGNING_PKCS11_KEY_LABEL. When the module is set, keys come only from the token.
#  2. MOTCUA_SIGNING_PKCS12_DIR/<agency identifier>.p12 (e.g. H17.20.194.p12), when that file exists;
#  3. MOTCUA_SIGNING_PKCS12, one key for every agency without its own file (e.g. the province's key);
#     the PKCS#12 files are all opened with MOTCUA_SIGNING_PKCS12_PASSWORD (empty: unencrypted files);
#  4. outside production only, a demo CA under MOTCUA_PKI_DIR; in production signing then fails.
# MOTCUA_SIGNING_TRUST_ROOTS lists the CA certificates (PEM/DER files) a verified result must chain to.
MOTCUA_PKI_DIR = Path(os.environ.get("MOTCUA_PKI_DIR", VAR_DIR / "pki"))
if ENVIRONMENT == "test" and "MOTCUA_PKI_DIR" not in os.environ:
    # Tests that do not set their own directory (e.g. seed_demo's) must not leave keys in var/.
    MOTCUA_PKI_DIR = Path(tempfile.gettempdir()) / f"motcua-test-pki-{os.getpid()}"
MOTCUA_SIGNING_PKCS11_MODULE = os.environ.get("MOTCUA_SIGNING_PKCS11_MODULE", "")
MOTCUA_SIGNING_PKCS11_TOKEN = os.environ.get("MOTCUA_SIGNING_PKCS11_TOKEN", "")
MOTCUA_SIGNING_PKCS11_PIN = os.environ.get("MOTCUA_SIGNING_PKCS11_PIN", "")
MOTCUA_SIGNING_PKCS11_KEY_LABEL = os.environ.get("MOTCUA_SIGNING_PKCS11_KEY_LABEL", "")
MOTCUA_SIGNING_PKCS12_DIR = os.environ.get("MOTCUA_SIGNING_PKCS12_DIR", "")
MOTCUA_SIGNING_PKCS12 = os.environ.get("MOTCUA_SIGNING_PKCS12", "")
MOTCUA_SIGNING_PKCS12_PASSWORD = os.environ.get("MOTCUA_SIGNING_PKCS12_PASSWORD", "")
MOTCUA_SIGNING_TRUST_ROOTS = env_list("MOTCUA_SIGNING_TRUST_ROOTS", [])


def check_signing_keys(
    *,
    pkcs11_module: str = "",
    pkcs11_token: str = "",
    pkcs11_pin: str = "",
    pkcs11_key_label: str = "",
    pkcs12_dir: str = "",
    pkcs12: str = "",
    trust_roots: list[str] | None = None,
) -> None:
    """Raise ImproperlyConfigured, saying how to fix it, when the signing-key settings cannot work.

    Only what can be checked without opening a key (that needs the PIN or password and, for a token, the
    device): files and directories exist, and the PKCS#11 settings come together.
    """
    if pkcs11_module:
        if not os.path.isfile(pkcs11_module):
            raise ImproperlyConfigured(
                f"MOTCUA_SIGNING_PKCS11_MODULE={pkcs11_module!r} is not a file: set it to the PKCS#11 library (.so) "
                "of the token or HSM vendor, e.g. /usr/lib/softhsm/libsofthsm2.so, or unset it."
            )
        if not pkcs11_token:
            raise ImproperlyConfigured(
                "MOTCUA_SIGNING_PKCS11_TOKEN is required with MOTCUA_SIGNING_PKCS11_MODULE: set it to the token "
                "label (`pkcs11-tool --module <module> --list-slots` or `softhsm2-util --show-slots` shows it)."
            )
        if not pkcs11_pin:
            raise ImproperlyConfigured(
                "MOTCUA_SIGNING_PKCS11_PIN is required with MOTCUA_SIGNING_PKCS11_MODULE: set it to the token's "
                "user PIN."
            )
    else:
        for name, value in (
            ("MOTCUA_SIGNING_PKCS11_TOKEN", pkcs11_token),
            ("MOTCUA_SIGNING_PKCS11_PIN", pkcs11_pin),
            ("MOTCUA_SIGNING_PKCS11_KEY_LABEL", pkcs11_key_label),
        ):
            if value:
                raise ImproperlyConfigured(
                    f"{name} is set but MOTCUA_SIGNING_PKCS11_MODULE is not: set the module (the token vendor's "
                    f"PKCS#11 library) to sign with the token, or unset {name}."
                )
    if pkcs12_dir and not os.path.isdir(pkcs12_dir):
        raise ImproperlyConfigured(
            f"MOTCUA_SIGNING_PKCS12_DIR={pkcs12_dir!r} is not a directory: create it and put each agency's key "
            "in it as <agency identifier>.p12 (e.g. H17.20.194.p12), or unset it."
        )
    if pkcs12 and not os.path.isfile(pkcs12):
        raise ImproperlyConfigured(
            f"MOTCUA_SIGNING_PKCS12={pkcs12!r} is not a file: set it to the PKCS#12 (.p12/.pfx) file with the "
            "signing key and its certificate, or unset it."
        )
    for root in trust_roots or []:
        if not os.path.isfile(root):
            raise ImproperlyConfigured(
                f"MOTCUA_SIGNING_TRUST_ROOTS lists {root!r}, which is not a file: list the CA certificates "
                "(PEM or DER files, comma-separated) that signed results must chain to."
            )


check_signing_keys(
    pkcs11_module=MOTCUA_SIGNING_PKCS11_MODULE,
    pkcs11_token=MOTCUA_SIGNING_PKCS11_TOKEN,
    pkcs11_pin=MOTCUA_SIGNING_PKCS11_PIN,
    pkcs11_key_label=MOTCUA_SIGNING_PKCS11_KEY_LABEL,
    pkcs12_dir=MOTCUA_SIGNING_PKCS12_DIR,
    pkcs12=MOTCUA_SIGNING_PKCS12,
    trust_roots=MOTCUA_SIGNING_TRUST_ROOTS,
)

# The outbox (motcua.events): a failed delivery is retried after MOTCUA_OUTBOX_RETRY_BASE_SECONDS, doubling up
# to MOTCUA_OUTBOX_RETRY_MAX_SECONDS, and given up on (dead, for an operator) after MOTCUA_OUTBOX_MAX_ATTEMPTS.
# A handler that reaches outside the database holds its message for MOTCUA_OUTBOX_LEASE_SECONDS (longer than it
# may take); delivered messages are kept MOTCUA_OUTBOX_KEEP_DAYS days.
MOTCUA_OUTBOX_RETRY_BASE_SECONDS = float(os.environ.get("MOTCUA_OUTBOX_RETRY_BASE_SECONDS", 10))
MOTCUA_OUTBOX_RETRY_MAX_SECONDS = float(os.environ.get("MOTCUA_OUTBOX_RETRY_MAX_SECONDS", 3600))
MOTCUA_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("MOTCUA_OUTBOX_MAX_ATTEMPTS", 10))
MOTCUA_OUTBOX_LEASE_SECONDS = int(os.environ.get("MOTCUA_OUTBOX_LEASE_SECONDS", 120))
MOTCUA_OUTBOX_KEEP_DAYS = int(os.environ.get("MOTCUA_OUTBOX_KEEP_DAYS", 14))

# One country of many instances (motcua.sync, motcua.national). MOTCUA_ROLE `provincial` (a province's or a
# ministry's one-stop system) pushes every dossier change to the national portal; `national` receives the pushes of
# the registered instances and serves the national status lookup. MOTCUA_INSTANCE_CODE names this instance to its
# peers (e.g. the province code); its pushes are signed with the EC P-256 key in MOTCUA_INSTANCE_KEY_FILE (PEM),
# which development creates under var/ on first use.
MOTCUA_ROLE = os.environ.get("MOTCUA_ROLE", "provincial")
if MOTCUA_ROLE not in ("provincial", "national"):
    raise ImproperlyConfigured(f"MOTCUA_ROLE={MOTCUA_ROLE!r} is not one of provincial or national.")
MOTCUA_INSTANCE_CODE = os.environ.get("MOTCUA_INSTANCE_CODE", "")
if not MOTCUA_INSTANCE_CODE:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("Set MOTCUA_INSTANCE_CODE to this instance's code, e.g. the province code 48.")
    MOTCUA_INSTANCE_CODE = "national" if MOTCUA_ROLE == "national" else MOTCUA_DEMO_PROVINCE_CODE
MOTCUA_INSTANCE_KEY_FILE = os.environ.get("MOTCUA_INSTANCE_KEY_FILE", "")
if not MOTCUA_INSTANCE_KEY_FILE:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "Set MOTCUA_INSTANCE_KEY_FILE to the PEM file of this instance's signing key "
            "(`manage.py instance_key new --output FILE` makes one)."
        )
    MOTCUA_INSTANCE_KEY_FILE = str(VAR_DIR / "instance-key.pem")
# The connector that carries pushes to the national portal: `motcua` posts them to MOTCUA_NATIONAL_URL (another
# motcua instance with MOTCUA_ROLE=national); `loopback` (development's default) hands them to this instance's own
# national receiver, so the demo shows the whole path; `off` (the tests' default) syncs nothing: no change is owed,
# and an instance that turns sync on later records each dossier's earlier changes with its next one.
MOTCUA_SYNC_CONNECTOR = os.environ.get("MOTCUA_SYNC_CONNECTOR", "")
if not MOTCUA_SYNC_CONNECTOR:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "Set MOTCUA_SYNC_CONNECTOR: `motcua` (with MOTCUA_NATIONAL_URL) to sync dossier status to the national "
            "portal, or `off` for an instance that does not sync."
        )
    MOTCUA_SYNC_CONNECTOR = "off" if ENVIRONMENT == "test" else "loopback"
MOTCUA_NATIONAL_URL = os.environ.get("MOTCUA_NATIONAL_URL", "").rstrip("/")
if MOTCUA_SYNC_CONNECTOR not in ("motcua", "loopback", "off"):
    raise ImproperlyConfigured(
        f"MOTCUA_SYNC_CONNECTOR={MOTCUA_SYNC_CONNECTOR!r} is not one of motcua, loopback or off."
    )
if MOTCUA_SYNC_CONNECTOR == "motcua" and not MOTCUA_NATIONAL_URL:
    raise ImproperlyConfigured(
        "MOTCUA_SYNC_CONNECTOR=motcua needs MOTCUA_NATIONAL_URL, the national instance's address."
    )
if MOTCUA_SYNC_CONNECTOR == "loopback" and IS_PRODUCTION:
    raise ImproperlyConfigured("MOTCUA_SYNC_CONNECTOR=loopback is for development; use motcua or off in production.")
# A push carries at most MOTCUA_SYNC_BATCH changes and waits MOTCUA_SYNC_TIMEOUT_SECONDS for the answer; after a
# failed push the next waits MOTCUA_SYNC_RETRY_BASE_SECONDS, doubling up to MOTCUA_SYNC_RETRY_MAX_SECONDS.
MOTCUA_SYNC_BATCH = int(os.environ.get("MOTCUA_SYNC_BATCH", 200))
MOTCUA_SYNC_TIMEOUT_SECONDS = float(os.environ.get("MOTCUA_SYNC_TIMEOUT_SECONDS", 20))
MOTCUA_SYNC_RETRY_BASE_SECONDS = float(os.environ.get("MOTCUA_SYNC_RETRY_BASE_SECONDS", 5))
MOTCUA_SYNC_RETRY_MAX_SECONDS = float(os.environ.get("MOTCUA_SYNC_RETRY_MAX_SECONDS", 900))
MOTCUA_SYNC_LEASE_SECONDS = int(os.environ.get("MOTCUA_SYNC_LEASE_SECONDS", 120))
# The national receiver refuses a push signed more than MOTCUA_SYNC_MAX_AGE_SECONDS ago (or that far ahead).
MOTCUA_SYNC_MAX_AGE_SECONDS = int(os.environ.get("MOTCUA_SYNC_MAX_AGE_SECONDS", 300))
# Inter-agency document exchange (motcua.exchange): a package is refused when signed more than
# MOTCUA_EXCHANGE_MAX_AGE_SECONDS before it arrives (it may wait in the sender's outbox while the receiver is down;
# a package id is refused forever after its first receipt, so replay does not depend on this), or larger than
# MOTCUA_EXCHANGE_MAX_PACKAGE_BYTES; a delivery waits MOTCUA_EXCHANGE_TIMEOUT_SECONDS for the answer.
MOTCUA_EXCHANGE_MAX_AGE_SECONDS = int(os.environ.get("MOTCUA_EXCHANGE_MAX_AGE_SECONDS", 24 * 3600))
MOTCUA_EXCHANGE_MAX_PACKAGE_BYTES = int(os.environ.get("MOTCUA_EXCHANGE_MAX_PACKAGE_BYTES", 20 * 1024 * 1024))
MOTCUA_EXCHANGE_TIMEOUT_SECONDS = float(os.environ.get("MOTCUA_EXCHANGE_TIMEOUT_SECONDS", 30))
