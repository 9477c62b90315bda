"""Django settings for fupin.

The database comes from FUPIN_DATABASE_URL (default: an SQLite file under var/).
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("FUPIN_DATA_DIR", Path.cwd() / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("FUPIN_SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = os.environ.get("FUPIN_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("FUPIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

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
        "timeout": 30,
    }

AUTH_USER_MODEL = "accounts.User"
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

# Idle session timeout: every request pushes the expiry forward.
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

TASKS = {
    "default": {
        "BACKEND": os.environ.get("FUPIN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
