"""Django settings for fupin.

The database comes from FUPIN_DATABASE_URL (default: an SQLite file under var/).
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
# FUPIN_DATA_DIR: uploads, job files, progress files and the generated key, shared by the site and the worker.
DATA_DIR = Path(os.environ.get("FUPIN_DATA_DIR", Path.cwd() / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _instance_secret_key(path: Path) -> str:
    """The key kept in the instance folder, made on first start: every install gets its own, never a shared one.

    Written to a private (0600) temporary file and linked into place, so processes starting at once agree on one
    complete key."""
    if not path.exists():
        import secrets
        import tempfile

        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(50))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


# FUPIN_SECRET_KEY: the signing key; without it, a key generated once into DATA_DIR/secret_key (0600) and reused.
SECRET_KEY = os.environ.get("FUPIN_SECRET_KEY") or _instance_secret_key(DATA_DIR / "secret_key")
# FUPIN_DEBUG=1: Django's debug mode (tracebacks in the browser) — for development only, off by default.
DEBUG = os.environ.get("FUPIN_DEBUG", "0") == "1"
# FUPIN_ALLOWED_HOSTS: comma-separated host names the site answers to (the name users type, behind a proxy too).
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("FUPIN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
                 if h.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "fupin.core",
    "fupin.regions",
    "fupin.accounts",
    "fupin.dictionaries",
    "fupin.audit",
    "fupin.jobs",
    "fupin.registry",
    "fupin.comparison",
    "fupin.procedures",
    "fupin.monitoring",
    "fupin.assistance",
    "fupin.projects",
    "fupin.sectors",
    "fupin.funds",
    "fupin.assets",
    "fupin.credit",
    "fupin.villages",
    "fupin.assessment",
    "fupin.whatif",
    "fupin.oversight",
    "fupin.stats",
    "fupin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the vendored assets in any mode: intranet installs have no separate web server for them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # CSP, no-store on personal pages and downloads; inside WhiteNoise so static assets stay cacheable.
    "fupin.core.middleware.SecurityHeadersMiddleware",
    "fupin.accounts.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "fupin.urls"
WSGI_APPLICATION = "fupin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fupin.menu.menu",
            ],
        },
    },
]

# FUPIN_DATABASE_URL: postgres://user:password@host:5432/name in production; an SQLite file in DATA_DIR by default.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("FUPIN_DATABASE_URL", f"sqlite:///{DATA_DIR / 'fupin.sqlite3'}"),
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the background worker write while pages read.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # FUPIN_SQLITE_BUSY_SECONDS: how long a write waits for another writer (a running job holds the lock).
        "timeout": int(os.environ.get("FUPIN_SQLITE_BUSY_SECONDS", "30")),
    }

AUTH_USER_MODEL = "accounts.User"
CSRF_FAILURE_VIEW = "fupin.core.errors.csrf_failure"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "fupin.accounts.passwords.CharacterClassValidator"},
    {"NAME": "fupin.accounts.passwords.PatternPasswordValidator"},
]

# Login throttles (docs/identity.md). Failures are counted per (account, client IP) within LOCKOUT_MINUTES: after
# MAX_FAILURES the account is refused from that IP only, so nobody can lock a colleague out from elsewhere; an IP
# with MAX_FAILURES_PER_IP failures over any accounts is refused altogether (password spraying).
FUPIN_LOGIN_MAX_FAILURES = 5
FUPIN_LOCKOUT_MINUTES = 15
FUPIN_LOGIN_MAX_FAILURES_PER_IP = 20
# Passwords older than this many days must be changed before anything else (0: never expire).
FUPIN_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("FUPIN_PASSWORD_MAX_AGE_DAYS", "90"))
# Demo mode (scripts/run-demo.sh sets FUPIN_DEMO_MODE=1): demo accounts keep the published password without being
# forced to change it, and administrators may work without a TOTP second factor (a warning says so at login).
FUPIN_DEMO_MODE = os.environ.get("FUPIN_DEMO_MODE", "0") == "1"
# API tokens expire this many days after issue; a user holds at most TOKENS_PER_USER live tokens (a further one is
# refused, never silently revoking one that a sync job may still use).
FUPIN_API_TOKEN_DAYS = int(os.environ.get("FUPIN_API_TOKEN_DAYS", "30"))
FUPIN_API_TOKENS_PER_USER = int(os.environ.get("FUPIN_API_TOKENS_PER_USER", "5"))
# The name authenticator apps show next to the account's TOTP entry.
FUPIN_TOTP_ISSUER = "扶贫管理平台"

# Audit log retention (网络安全法 Art. 21: at least six months): rows younger than this many days are never archived
# out of the table. Values under 183 are refused by a system check (fupin.audit.checks).
FUPIN_AUDIT_RETENTION_DAYS = int(os.environ.get("FUPIN_AUDIT_RETENTION_DAYS", "183"))
# Where `fupin audit archive` writes its compressed archive files (docs/audit-log.md).
FUPIN_AUDIT_ARCHIVE_DIR = Path(os.environ.get("FUPIN_AUDIT_ARCHIVE_DIR", DATA_DIR / "audit-archive"))

# Throttles on the public forms (fupin/core/throttle.py): scope -> (submissions allowed, within this many seconds),
# counted in the database so all server workers share them. Per IP against floods from one machine; per target so
# many machines cannot flood one notice, nor guess a household's ID digits on the self-report form.
FUPIN_THROTTLES = {
    "objection_ip": (5, 600),
    "objection_notice": (60, 3600),
    "self_report_ip": (5, 600),
    "self_report_household": (5, 3600),
}
# FUPIN_TRUSTED_PROXIES: comma-separated addresses or networks of our own reverse proxies (e.g. "127.0.0.1"). From
# them the client's address is taken from X-Forwarded-For, else every visitor would share the proxy's throttles.
FUPIN_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("FUPIN_TRUSTED_PROXIES", "").split(",") if p.strip()]

# FUPIN_SESSION_MINUTES: idle session timeout (default 30); every request pushes the expiry forward.
SESSION_COOKIE_AGE = int(os.environ.get("FUPIN_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["fupin.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Project-wide vendored assets (Bootstrap, htmx, ECharts, Swagger UI) live in fupin/static, outside any app.
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# `fupin serve` (gunicorn): FUPIN_WEB_WORKERS processes (0: two per CPU plus one) of FUPIN_WEB_THREADS threads;
# a request running longer than FUPIN_WEB_TIMEOUT seconds is cut off (big exports run as jobs instead).
FUPIN_WEB_WORKERS = int(os.environ.get("FUPIN_WEB_WORKERS", "0"))
FUPIN_WEB_THREADS = int(os.environ.get("FUPIN_WEB_THREADS", "4"))
FUPIN_WEB_TIMEOUT = int(os.environ.get("FUPIN_WEB_TIMEOUT", "120"))

# FUPIN_PG_BIN: the folder of pg_dump/pg_restore for `fupin backup`/`restore` when not the server's own version's
# /usr/lib/postgresql/<major>/bin (empty: look there, then on PATH).
FUPIN_PG_BIN = os.environ.get("FUPIN_PG_BIN", "")

# Days a village has to answer a new comparison suspect (核查反馈期限) from the day it is found.
FUPIN_SUSPECT_DUE_DAYS = 5

# FUPIN_TASK_BACKEND: the django-tasks backend; the default queues jobs in the database for `fupin worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("FUPIN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# FUPIN_HTTPS=1 when users reach the site over HTTPS through a reverse proxy (docs/deployment.md): the proxy sets
# X-Forwarded-Proto, plain HTTP is redirected, cookies are Secure and browsers are told to stay on HTTPS (HSTS).
FUPIN_HTTPS = os.environ.get("FUPIN_HTTPS", "0") == "1"
if FUPIN_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # FUPIN_HSTS_SECONDS: how long browsers keep to HTTPS (default one year; start small when first enabling it).
    SECURE_HSTS_SECONDS = int(os.environ.get("FUPIN_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # FUPIN_HSTS_PRELOAD=0 leaves the preload flag out of the header (it only matters once the domain is submitted).
    SECURE_HSTS_PRELOAD = os.environ.get("FUPIN_HSTS_PRELOAD", "1") == "1"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Full ID and mobile numbers are masked in every record (docs/deployment.md §6 日志); `fupin serve` masks gunicorn's log too.
    "filters": {"mask_personal": {"()": "fupin.core.logmask.MaskPersonalNumbers"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_personal"]}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
