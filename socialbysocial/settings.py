"""Settings for socialbysocial, all read from environment variables.

Three modes, chosen by ``DJANGO_ENV``:

* ``development`` (the default when nothing is set): DEBUG on, SQLite under ``var/``,
  Celery tasks run eagerly in-process, emails go to the console and to ``var/outbox/``,
  a local-memory cache. ``make run`` uses this.
* ``test`` (chosen automatically under pytest): like development, but with mandatory email
  verification so tests exercise the real sign-up flow.
* ``production``: refuses to start unless ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``,
  ``REDIS_URL``, ``EMAIL_HOST`` and ``DEFAULT_FROM_EMAIL`` are set; secure cookies, HSTS and
  whitenoise's compressed manifest static files.

``DATABASE_URL`` switches to PostgreSQL and ``REDIS_URL`` to a Redis cache and Celery broker in
any mode.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


ENV = env("DJANGO_ENV") or ("test" if "pytest" in sys.modules else "development")
if ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be development, test or production, not {ENV!r}.")
PRODUCTION = ENV == "production"
DEVELOPMENT = ENV == "development"
TESTING = ENV == "test"
if not PRODUCTION:
    # The SQLite database, the email outbox and (unused) static root live here.
    (VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

if PRODUCTION:
    _missing = [
        name
        for name in (
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "REDIS_URL",
            "EMAIL_HOST",
            "DEFAULT_FROM_EMAIL",
        )
        if not env(name)
    ]
    if _missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs these environment variables: "
            + ", ".join(_missing)
            + ". See README.md, section 'Production'."
        )

SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-0123456789")
DEBUG = env_bool("DEBUG", DEVELOPMENT)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = env("SITE_NAME", "Social by Social")
SITE_DOMAIN = env("SITE_DOMAIN", ALLOWED_HOSTS[0] if PRODUCTION else "127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    "socialbysocial",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "taggit",
    "django_celery_beat",
    "django_ratelimit",
    "members",
    "discussions",
    "events",
    "groups",
    "programmes",
    "subscriptions",
    "news",
]
SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "socialbysocial.middleware.RejectNullBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "socialbysocial.urls"
WSGI_APPLICATION = "socialbysocial.wsgi.application"

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
                "socialbysocial.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Cache and Redis -----------------------------------------------------------------------
def _redis_url_with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


REDIS_URL = env("REDIS_URL")
if REDIS_URL and TESTING:
    # Tests never touch the databases a developer or a running site uses.
    REDIS_URL = _redis_url_with_db(REDIS_URL, int(env("REDIS_TEST_DB", "13")))

if REDIS_URL:
    CACHES = {
        "default": {
            # Like Django's RedisCache, but a Redis outage makes it an empty cache, not a 500.
            "BACKEND": "socialbysocial.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sbs",
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Auth and accounts (django-allauth) -----------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing is the slowest part of creating hundreds of test members; tests need no strength.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env(
    "ACCOUNT_EMAIL_VERIFICATION", "optional" if DEVELOPMENT else "mandatory"
)
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_USERNAME_MIN_LENGTH = 2
ACCOUNT_USERNAME_BLACKLIST = ["admin", "staff", "moderator", "edit", "me", "new"]
ACCOUNT_FORMS = {"signup": "members.forms.SignupForm", "login": "members.forms.LoginForm"}
ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# allauth's rate limits are on by default; they count in the cache, so production needs Redis.
TAGGIT_CASE_INSENSITIVE = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(
    env("STATIC_ROOT", str(BASE_DIR / "staticfiles" if PRODUCTION else VAR_DIR / "static"))
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Social by Social <hello@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    # Console and a file outbox under var/outbox/, where a developer can read every message.
    EMAIL_BACKEND = env("EMAIL_BACKEND", "socialbysocial.mail.DevelopmentEmailBackend")
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "outbox"))

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL or env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing gives up quickly when the broker is down; the task is then kept in PendingTask.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# An unacknowledged task (its worker died) goes back to the queue after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "3600")),
    # How often (in polls) a worker looks for a dead worker's unfinished tasks.
    "unacked_restore_throttle": int(env("CELERY_UNACKED_RESTORE_THROTTLE", "10")),
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "members.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "daily-digest": {
        "task": "subscriptions.tasks.digest_run",
        "schedule": crontab(hour=7, minute=0),
        "args": ["daily"],
    },
    "weekly-digest": {
        "task": "subscriptions.tasks.digest_run",
        "schedule": crontab(hour=7, minute=30, day_of_week=1),
        "args": ["weekly"],
    },
    "retry-pending-tasks": {
        "task": "socialbysocial.tasks.retry_pending_tasks",
        "schedule": 60.0,
    },
    "deliver-pending-emails": {
        "task": "subscriptions.tasks.deliver_pending_emails",
        "schedule": 300.0,
    },
    "erase-old-rsvp-notes": {
        "task": "events.tasks.erase_old_rsvp_notes",
        "schedule": crontab(hour=4, minute=0),
    },
    "event-reminders": {
        "task": "events.tasks.send_event_reminders",
        "schedule": crontab(minute=5),
    },
    "flush-discussion-view-counts": {
        "task": "discussions.tasks.flush_view_counts",
        "schedule": 300.0,
    },
    "poll-news-feeds": {
        "task": "news.tasks.poll_due_feeds",
        "schedule": 900.0,
    },
}

# --- News from the network (external RSS/Atom feeds) -----------------------------------------
NEWS_FEED_TIMEOUT = float(env("NEWS_FEED_TIMEOUT", "10"))  # seconds per socket operation
NEWS_FEED_MAX_BYTES = int(env("NEWS_FEED_MAX_BYTES", str(2 * 1024 * 1024)))
NEWS_FEED_MAX_ENTRIES = 50  # kept per feed, newest first
NEWS_FEED_POLL_INTERVAL = int(env("NEWS_FEED_POLL_INTERVAL", "1800"))  # seconds after a success
NEWS_FEEDS_PER_OWNER = 5
# Refuse feeds on loopback and private networks (server-side request forgery) in production.
NEWS_FEED_ALLOW_PRIVATE_HOSTS = env_bool("NEWS_FEED_ALLOW_PRIVATE_HOSTS", not PRODUCTION)

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp): only our own scripts and styles, plus those carrying the
# per-request nonce; nothing may frame the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "celery.app.trace": {"level": "WARNING"},
    },
}

# --- Rate limits ------------------------------------------------------------------------------
# Per member (or visitor address) per hour; tighter in a member's first NEW_MEMBER_HOURS; and per
# address for everyone behind it. Over a limit: a 429 page (socialbysocial.views.rate_limited).
RATE_LIMITS = {
    "post": {"member": "20/h", "first_day": "3/h", "address": "60/h"},
    "reply": {"member": "60/h", "first_day": "10/h", "address": "180/h"},
    "rsvp": {"member": "30/h", "first_day": "10/h", "address": "120/h"},
    "report": {"member": "20/h", "first_day": "5/h", "address": "60/h"},
    "subscribe": {"member": "10/h", "first_day": "10/h", "address": "10/h"},
}
NEW_MEMBER_HOURS = 24
NEW_MEMBER_MAX_LINKS = 2  # links a first-day member may put in one post
RATELIMIT_VIEW = "socialbysocial.views.rate_limited"
RATELIMIT_IP_META_KEY = env("RATELIMIT_IP_META_KEY", "REMOTE_ADDR")
SILENCED_SYSTEM_CHECKS = [
    # Our cache is Django's RedisCache (atomic increments) with outage handling added.
    "django_ratelimit.W001",
]
if not PRODUCTION:
    # A local-memory cache is per process: fine for the dev server and tests, not production
    # (which requires REDIS_URL).
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

# --- The product ----------------------------------------------------------------------------
MEMBERS_PER_PAGE = 24
# Tests only: seconds a digest batch waits before writing, to kill a worker mid-batch.
DIGEST_TEST_DELAY = float(env("DIGEST_TEST_DELAY", "0"))
