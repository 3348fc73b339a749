"""Settings, configured only by environment variables (see .env.example).

Without any variable set, the project runs in its embedded mode: SQLite in var/, Celery on a
filesystem broker in var/broker, email to the console and the in-app inbox.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("PRODUCTION", False):
        raise RuntimeError("SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-local-development-key-change-me-" + "x" * 20
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "applicants",
    "grants",
    "workflows",
    "notifications",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.SessionRefreshMiddleware",
    "config.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "config.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last: it answers a locked-out login attempt with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workflows.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'grantdesk.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        # A kept connection is checked before a request uses it (a restarted database costs no error).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL lets readers run beside the writer, IMMEDIATE
    # takes the write lock at BEGIN (no lock upgrade deadlocks) and the timeout waits for it.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file (not :memory:) so a real Celery worker can share the test database; one per test run.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound on the server, so psycopg prepares a statement a connection runs repeatedly
    # (from its 5th run): PostgreSQL then skips planning it. The case page's one wide query took ~3 ms
    # to plan and 0.6 ms to run (BENCHMARKS.md). DB_PREPARED_STATEMENTS=0 turns it off (e.g. behind
    # PgBouncer in transaction mode, which cannot keep prepared statements).
    # (Django leaves psycopg's prepared statements off unless prepare_threshold is given.)
    if env_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}

AUTH_USER_MODEL = "applicants.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "applicant_home"
LOGOUT_REDIRECT_URL = "home"
# BIO: a session ends after 30 minutes without activity; the clock restarts on each request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 60 * 30))
# The inactivity timeout slides: config.middleware.SessionRefreshMiddleware saves the session again when
# it was saved more than SESSION_REFRESH_SECONDS ago (not on every request: that costs three queries each).
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lockout after repeated failed logins (django-axes): per email address and IP address together, so
# nobody can lock a colleague out from elsewhere; the lock lifts by itself after the cool-off.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (it holds the email address)
AXES_CLIENT_IP_CALLABLE = "applicants.ratelimit.client_address"  # the one reading of X-Forwarded-For
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "applicants.security_views.locked_out"
AXES_VERBOSE = False

# OpenID Connect login (mozilla-django-oidc), off unless a client id is configured: applicants through an
# eHerkenning/DigiD broker, staff through the municipality's identity provider.
OIDC_ENABLED = bool(os.environ.get("OIDC_RP_CLIENT_ID"))
OIDC_LOGIN_LABEL = os.environ.get("OIDC_LOGIN_LABEL", "eHerkenning")
# A login through the provider counts as the second factor (the provider enforces MFA, e.g. Entra ID).
OIDC_IDP_MFA = env_bool("OIDC_IDP_MFA", True)
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("applicants.oidc.GrantDeskOIDCBackend")
    OIDC_RP_CLIENT_ID = os.environ["OIDC_RP_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/account/inloggen/"

# Optional virus scan of uploads by clamd (workflows/virus_scan.py): tcp://host:3310 or unix:///path.
CLAMAV_URL = os.environ.get("CLAMAV_URL", "")
CLAMAV_FAIL_OPEN = env_bool("CLAMAV_FAIL_OPEN", False)

# Second factor (django-otp): the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Subsidieloket")

# Rate limits (applicants/ratelimit.py): requests per client address per window, by kind.
RATE_LIMITS = {
    "login": (20, 300),
    "register": (10, 3600),
    "password_reset": (5, 3600),
    "download": (120, 60),
}
CACHES = {
    "default": {
        "BACKEND": (
            "django.core.cache.backends.redis.RedisCache"
            if os.environ.get("CACHE_URL", "").startswith("redis")
            else "django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": os.environ.get("CACHE_URL", "grantdesk"),
    }
}

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django 6.1's label for an empty choice, which Django's own Dutch catalogue does not translate yet:
# listed here so makemessages keeps it in this project's catalogue.
gettext_noop("- Select an option -")
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = not env_bool("PRODUCTION")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("PRODUCTION")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded files live outside any public path and are served only through views that check access.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "files"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Email: Django 6.1 MAILERS. EMAIL_URL-like pieces come from the environment.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Subsidieloket <noreply@subsidieloket.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_MESSAGE_ID_DOMAIN = os.environ.get("EMAIL_MESSAGE_ID_DOMAIN", "subsidieloket.example")
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS"),
                "timeout": 20,
            },
        }
    }
elif os.environ.get("EMAIL_FILE_PATH"):
    # Messages go to files in a folder, so a test (or a demo) can read what a real worker sent.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": os.environ["EMAIL_FILE_PATH"]},
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Celery: Redis in production, a filesystem broker in the embedded mode (no services needed).
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # max_retries 0: a publish to a Redis that is down fails at once (the outbox keeps the row) instead
    # of holding the user's request through several reconnection attempts.
    # visibility_timeout: how long a task taken by a worker that died (acks_late) stays invisible before
    # Redis hands it out again; it must exceed the longest task. The fault tests set a few seconds.
    VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": VISIBILITY_TIMEOUT, "max_retries": 0}
    if VISIBILITY_TIMEOUT < 60:  # sweep for abandoned messages every second, not every 100
        CELERY_BROKER_TRANSPORT_OPTIONS |= {"unacked_restore_interval": 1, "unacked_restore_throttle": 1}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A static schedule: django-celery-beat does not support Django 6.1.
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "notifications.tasks.outbox_relay", "schedule": 5.0},
    # Reminder jobs query what is due and send each reminder once (Reminder rows): running them
    # hourly only makes them robust to a beat that was down at 07:00.
    "send-reminders": {"task": "notifications.tasks.reminders_send", "schedule": crontab(minute=5, hour="7-17")},
    # One digest per user per day (its dedupe key holds the date), however often this runs.
    "send-digests": {"task": "notifications.tasks.outbox_digest_send", "schedule": crontab(minute=30, hour=7)},
    # Nightly: anonymise the applications whose retention period ended (privacy/services.py).
    "retention-apply": {"task": "privacy.tasks.retention_apply", "schedule": crontab(hour=3, minute=17)},
    # Pilot report reminders (14 days ahead and overdue), deduplicated per report, kind and due date.
    "pilot-report-reminders": {"task": "grants.tasks.pilot_report_reminders", "schedule": 6 * 3600.0},
    # Daily: voucher expiry reminders (30 and 7 days) and the expiry of unredeemed vouchers.
    "voucher-expiry": {"task": "grants.tasks.voucher_expiry", "schedule": 60 * 60 * 6.0},
    # Fold the per-state count deltas (grants/state_counts.py) so the queue's counts stay a few dozen rows.
    "state-counts-compact": {"task": "grants.tasks.state_counts_compact", "schedule": 600.0},
}
# The provider's code lookup: at most this many lookups per person per window (seconds).
VOUCHER_LOOKUP_LIMIT = 10
VOUCHER_LOOKUP_WINDOW = 600
# Publishing must never hang a request when the broker is down: fail fast, the relay retries.
CELERY_TASK_PUBLISH_RETRY = False

OUTBOX_LEASE_SECONDS = 60
# Rows per delivery task: the relay hands out batches, since a Celery task costs more CPU than an email.
OUTBOX_TASK_SIZE = 25
OUTBOX_MAX_ATTEMPTS = 5

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Production hardening: on whenever PRODUCTION=1 (docker-compose and the CI smoke run).
if env_bool("PRODUCTION"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
# Django's own Content Security Policy: nothing from elsewhere, no inline script without the request's
# nonce (``{{ csp_nonce }}``), no framing, forms post only here.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
