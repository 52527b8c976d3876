"""Settings shared by every environment.

Everything a deployment changes comes from environment variables (``XUNCHA_*``), so an
office installs the package and sets a few variables; nothing is edited in the code.
The default database is SQLite in the data directory, so the demo needs no server;
production sets ``XUNCHA_DATABASE_URL`` to PostgreSQL.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from xuncha.config import keys

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("XUNCHA_DATA_DIR", Path.cwd() / "xuncha-data")).resolve()

# No built-in key: XUNCHA_SECRET_KEY, or <DATA_DIR>/keys/secret_key made on first start.
try:
    SECRET_KEY = keys.secret_key(DATA_DIR)
except keys.SecretKeyError as _err:
    raise ImproperlyConfigured(str(_err)) from None
DEBUG = os.environ.get("XUNCHA_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h for h in os.environ.get("XUNCHA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "xuncha.common",
    "xuncha.accounts",
    "xuncha.units",
    "xuncha.planning",
    "xuncha.findings",
    "xuncha.rectifications",
    "xuncha.supervision",
    "xuncha.sham",
    "xuncha.surveys",
    "xuncha.selfchecks",
    "xuncha.petitions",
    "xuncha.checks",
    "xuncha.documents",
    "xuncha.reviews",
    "xuncha.policy",
    "xuncha.risk",
    "xuncha.worklist",
    "xuncha.escalation",
    "xuncha.dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "xuncha.common.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "xuncha.common.middleware.RequestGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "xuncha.accounts.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the Chinese page
]

ROOT_URLCONF = "xuncha.config.urls"
WSGI_APPLICATION = "xuncha.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

# Staff login (docs/decisions/0010): django-axes counts wrong passwords per account and
# client and locks out for the cool-off: LOGIN_FAILURES for one account from one client,
# LOGIN_FAILURES_ACCOUNT for one account from anywhere, LOGIN_FAILURES_CLIENT for one
# client across accounts. Only attempts on the staff login are recorded, with the
# address, and deleted once the cool-off has passed; no successful login is recorded.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURES = int(os.environ.get("XUNCHA_LOGIN_FAILURES", 5))
LOGIN_FAILURES_ACCOUNT = int(os.environ.get("XUNCHA_LOGIN_FAILURES_ACCOUNT", 20))
LOGIN_FAILURES_CLIENT = int(os.environ.get("XUNCHA_LOGIN_FAILURES_CLIENT", 50))
LOGIN_COOLOFF_MINUTES = int(os.environ.get("XUNCHA_LOGIN_COOLOFF_MINUTES", 15))
AXES_HANDLER = "xuncha.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURES
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_CLIENT_IP_CALLABLE = "xuncha.common.ratelimit.client_address"
AXES_LOCKOUT_CALLABLE = "xuncha.accounts.views.locked_out"
AXES_VERBOSE = False
# Two-factor (TOTP, django-otp): optional for every staff member; these roles must
# enrol before any other page, e.g. XUNCHA_2FA_REQUIRED_ROLES=office,team.
TWO_FACTOR_REQUIRED_ROLES = [
    r.strip() for r in os.environ.get("XUNCHA_2FA_REQUIRED_ROLES", "").split(",") if r.strip()
]
OTP_TOTP_ISSUER = os.environ.get("XUNCHA_2FA_ISSUER", "巡察工作台")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xuncha.common.context.choices",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("XUNCHA_DATABASE_URL", f"sqlite:///{DATA_DIR / 'xuncha.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web server and the job worker write to one SQLite file at the same time:
    # WAL lets readers and a writer work together, and IMMEDIATE transactions take the
    # write lock when they begin (waiting up to `timeout` seconds for it), so two
    # writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT: a page's counts over 100,000 rows cost enough for PostgreSQL to compile
    # them first, which takes longer (100+ ms) than running them; every query here is
    # a short one a person waits for (the cross-check's heavy SQL runs in DuckDB).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
# The one language of the interface: a browser asking for English must not get Django's
# own strings ("147 bytes", "Enter a valid date.") in English among Chinese pages.
LANGUAGES = [("zh-hans", "简体中文")]
FORMAT_MODULE_PATH = ["xuncha.config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
# Assets are served by WhiteNoise straight from the installed package (its finders), in
# every settings module, so no collectstatic and no manifest (docs/decisions/0005).
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
# Evidence uploads: checked by content and size in the services, capped here too.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# A whole request (all files together); larger ones are refused before being read.
REQUEST_MAX_BYTES = int(os.environ.get("XUNCHA_REQUEST_MAX_BYTES", 200 * 1024 * 1024))
EVIDENCE_MAX_BYTES = int(os.environ.get("XUNCHA_EVIDENCE_MAX_BYTES", 50 * 1024 * 1024))
# A dataset for the cross-check (payment lists run to millions of rows).
DATASET_MAX_BYTES = int(os.environ.get("XUNCHA_DATASET_MAX_BYTES", 2 * 1024 * 1024 * 1024))

PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_FAILURE_VIEW = "xuncha.common.views.csrf_failure"
# Pages not setting their own policy (public petition pages set a stricter one) get this:
# scripts and styles only from the installed package's static files, nothing inline.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# Behind a reverse proxy (docs/deploy.md). XUNCHA_TRUSTED_PROXY is the proxy's address
# (127.0.0.1 when nginx runs on the same server): `xuncha serve` then takes the client's
# address and the scheme (https) from its X-Forwarded-* headers, and from no one else.
# XUNCHA_PROXY_SSL_HEADER=1 does the same in Django for another WSGI server, which must
# then be reachable only through the proxy (the headers are believed from anyone).
TRUSTED_PROXY = os.environ.get("XUNCHA_TRUSTED_PROXY", "")
USE_X_FORWARDED_HOST = os.environ.get("XUNCHA_PROXY_SSL_HEADER", "") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if USE_X_FORWARDED_HOST else None
# Form posts are accepted from the page's own origin; a proxy that does not pass the
# browser's Host through needs the public origin listed: https://xuncha.example.gov.cn
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("XUNCHA_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Shared state for rate limits and one-time form tokens. In-process by default (one
# waitress process, as `xuncha serve` runs); several processes share Redis:
# XUNCHA_CACHE_URL=redis://127.0.0.1:6379/1
_CACHE_URL = os.environ.get("XUNCHA_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "xuncha.common.cache.RedisCache", "LOCATION": _CACHE_URL}
        if _CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    )
}

# Background jobs (cross-checks). Embedded by default: a queue in a SQLite file in the
# data directory, worked by the process `xuncha serve` starts. At scale: Redis, with
# workers started by `xuncha worker` on any machine that sees the data directory:
# XUNCHA_QUEUE_URL=redis://127.0.0.1:6379/2
QUEUE_URL = os.environ.get("XUNCHA_QUEUE_URL", "")
QUEUE_NAME = os.environ.get("XUNCHA_QUEUE_NAME", "xuncha")
# A running job that has not reported for this long is taken as dead (its worker
# process exited or was killed) and marked failed.
JOB_STALE_SECONDS = int(os.environ.get("XUNCHA_JOB_STALE_SECONDS", 60))
# DuckDB's memory limit for one cross-check run.
CHECK_MEMORY_LIMIT = os.environ.get("XUNCHA_CHECK_MEMORY_LIMIT", "3GB")

# The issuing body printed on notices (e.g. 中共湘南市委巡察工作领导小组办公室).
OFFICE_NAME = os.environ.get("XUNCHA_OFFICE_NAME", "巡察工作领导小组办公室")

# Petitions (码上巡察). Keys live outside the database, in their own file (see
# docs/decisions/0006); it is created on first use unless XUNCHA_PETITION_KEY_CREATE=0.
PETITION_KEY_FILE = Path(
    os.environ.get("XUNCHA_PETITION_KEY_FILE", DATA_DIR / "keys" / "petitions.json")
)
PETITION_KEY_CREATE = os.environ.get("XUNCHA_PETITION_KEY_CREATE", "1") == "1"
PETITION_MAX_FILES = 9
PETITION_FILE_MAX_BYTES = int(os.environ.get("XUNCHA_PETITION_FILE_MAX_BYTES", 50 * 1024 * 1024))
PETITION_RESPOND_DAYS = int(os.environ.get("XUNCHA_PETITION_RESPOND_DAYS", 15))
# Proof of work asked of a public browser before a submission or a receipt log-in:
# leading zero bits of SHA-256 (16 bits: ~65,000 hashes, well under a second on a phone).
PETITION_POW_BITS = int(os.environ.get("XUNCHA_PETITION_POW_BITS", 16))
PETITION_POW_MAX_AGE = 3600
# Wrong receipt codes from everyone together: past ALARM ("count/seconds") the receipt
# log-in's work doubles with each doubling of the failures, up to MAX_EXTRA more bits
# (nobody is locked out; guessing gets dearer).
PETITION_POW_ALARM = os.environ.get("XUNCHA_PETITION_POW_ALARM", "100/600")
PETITION_POW_MAX_EXTRA = int(os.environ.get("XUNCHA_PETITION_POW_MAX_EXTRA", 4))
# Rate limits "count/seconds", per client (a salted hash of its address that lives only
# in the cache for the window).
PETITION_RATE_SUBMIT = os.environ.get("XUNCHA_PETITION_RATE_SUBMIT", "10/600")
PETITION_RATE_RECEIPT = os.environ.get("XUNCHA_PETITION_RATE_RECEIPT", "10/600")
# A receipt log-in ends after this many seconds unused, or this long after it began.
PETITION_SESSION_IDLE = int(os.environ.get("XUNCHA_PETITION_SESSION_IDLE", 1800))
PETITION_SESSION_MAX = int(os.environ.get("XUNCHA_PETITION_SESSION_MAX", 7200))

# Supervision. Cards (docs/decisions/0016): yellow after this many days in progress
# without a progress report; red when overdue by more than this many days.
CARD_REPORT_DAYS = int(os.environ.get("XUNCHA_CARD_REPORT_DAYS", 30))
CARD_RED_DAYS = int(os.environ.get("XUNCHA_CARD_RED_DAYS", 30))
# Grades (values or their Chinese names, comma-separated) that put a unit on the 回头看
# list with a 约谈 task (docs/decisions/0017).
FOLLOW_UP_GRADES = [
    g.strip() for g in os.environ.get("XUNCHA_FOLLOW_UP_GRADES", "poor").split(",") if g.strip()
]
# Satisfaction survey answers per client, "count/seconds" (docs/decisions/0019).
SURVEY_RATE_SUBMIT = os.environ.get("XUNCHA_SURVEY_RATE_SUBMIT", "30/600")
