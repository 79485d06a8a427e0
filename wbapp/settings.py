"""Workback settings: one module, driven by the environment.

With nothing set, Workback runs on SQLite with background work in-process and
mail printed to the console (``make run``). Production sets ``DATABASE_URL``,
``REDIS_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and the e-mail variables; see
``docker-compose.yml`` for the full list.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from wbapp.env import env_bool, env_int, env_list, env_str, env_timezone, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set unless DEBUG is on.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "allauth",
    "allauth.account",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "template_partials.apps.SimpleAppConfig",
    "wbapp.accounts",
    "wbapp.activity",
    "documents",
    "reviews",
    # Above documents and reviews, which it reads: fan-out, inbox, e-mails, digests.
    "wbapp.notifications",
    # The demo seeder, above everything it fills.
    "wbapp.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "wbapp.compression.FastGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wbapp.accounts.middleware.UserTimezoneMiddleware",
    # After the user is known, so that its 400 page has the site's header.
    "wbapp.bad_input.BadInputMiddleware",
    "wbapp.removed.RemovedMeanwhileMiddleware",
]

ROOT_URLCONF = "wbapp.urls"
# Project templates override Django's form templates (templates/django/forms/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "wbapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wbapp.accounts.context_processors.navigation",
                "wbapp.notifications.context_processors.notifications",
            ],
            # Partials are a builtin so that every template can define and render
            # named fragments, as Django 6's built-in partials will.
            "builtins": ["template_partials.templatetags.partials"],
            # "page.html#name" loads the partial "name" of page.html, as Django 6 will.
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

DATABASE_URL = env_url(
    "DATABASE_URL",
    default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql"),
)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # Persistent connections: a new PostgreSQL connection per request costs
        # more than most of our pages.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", default=True
):
    # A query run a fifth time on a connection is prepared: PostgreSQL plans it once,
    # not per request (planning the session lookup cost more than running it). Turn
    # off behind a pooler in transaction mode, which cannot keep prepared statements.
    # Bound parameters cap a statement at 65,535 values: bulk_create sends arrays
    # (UNNEST), and our long lists go in chunks (digests: 200 recipients at a time).
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and background work -------------------------------------------

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "wbapp.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "wb"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# This process's copies of values that never change for their key (an iteration's
# memo, a session's state per version), in front of the shared cache (wbapp.cache.kept).
CACHES["process"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "process",
    "OPTIONS": {"MAX_ENTRIES": 200},
}

CELERY_BROKER_URL = REDIS_URL
# Redis, with the one fix a broker restart needs (wbapp/broker.py).
CELERY_BROKER_TRANSPORT = "wbapp.broker:Transport"
# Without Redis every task runs in-process, synchronously, when it is enqueued.
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# A broker that restarts or cannot be reached yet is waited for, forever, rather than
# ending the worker: at startup, and whenever the connection is lost.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# On a lost broker connection, the tasks running with late acks are stopped (and come
# back from the broker) rather than acknowledged later over the closed connection, which
# ends the whole worker ("Unrecoverable error: AttributeError … 'hostname'", kombu).
# A digest task stopped mid-send is what the delivery leases are for.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_keepalive": True,
    "socket_connect_timeout": 5,
    "health_check_interval": 10,
}
# How long a notification e-mail being sent stays its sender's before the sweep may
# take it back and send it again (wbapp/notifications/delivery.py).
NOTIFICATION_LEASE_SECONDS = env_int("NOTIFICATION_LEASE_SECONDS", 300, minimum=5)
CELERY_BEAT_SCHEDULE = {
    "expire-team-invitations": {
        "task": "wbapp.accounts.tasks.expire_invitations",
        "schedule": 60 * 60,
    },
    # Ends readings whose time is up when their own timed task did not (idempotent).
    "end-due-readings": {
        "task": "reviews.tasks.end_due_readings",
        "schedule": 15,
    },
    # Digests whose local delivery hour has come (each user and period once).
    "send-due-digests": {
        "task": "wbapp.notifications.tasks.send_due_digests",
        "schedule": 15 * 60,
    },
    # Notifications and e-mails a lost task left behind (idempotent).
    "sweep-notifications": {
        "task": "wbapp.notifications.tasks.sweep_notifications",
        "schedule": 60,
    },
}

# --- Accounts ------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# The sign-up form adds the full name (required); the adapter stores it.
ACCOUNT_FORMS = {"signup": "wbapp.accounts.forms.SignupForm"}
ACCOUNT_ADAPTER = "wbapp.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Workback] "
# Throttling that slows an attacker without locking the owner out (README, "Signing in").
# allauth limits what one client address may do; failed sign-ins to an account are
# limited per account *and* address together by wbapp.accounts.throttle, never per
# account alone, so that nobody can keep an owner out by failing on purpose.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# Per account and address: five failures cost nothing, then each waits twice as long as
# the one before (1 minute, 2, 4, … at most 15), until a success or a day without failures.
LOGIN_THROTTLE_FREE_FAILURES = 5
LOGIN_THROTTLE_FIRST_WAIT = 60
LOGIN_THROTTLE_LONGEST_WAIT = 15 * 60
LOGIN_THROTTLE_MEMORY = 24 * 60 * 60
# How many proxies of ours stand in front of the app, each appending the address it saw
# to X-Forwarded-For: the client address is read that many entries from the right, and
# nothing further left (which the client can write). 0 when clients reach the app
# directly: X-Forwarded-For is ignored and the connection's address counts.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

TEAM_INVITATION_MAX_AGE_DAYS = env_int("TEAM_INVITATION_MAX_AGE_DAYS", 7, minimum=1)
# Absolute links in e-mails (invitations, digests) start with this; there is no
# sites framework, and a background task has no request to read the host from.
SITE_URL = env_url("SITE_URL", default="http://127.0.0.1:8000", schemes=("http", "https"))
# allauth builds its own absolute links (confirmation, password reset) with this scheme.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = SITE_URL.split("://", 1)[0]

# --- E-mail --------------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
# Only for EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend: the
# directory the mail is written to (the worker integration tests read it there).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Workback <workback@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation --------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_timezone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need `collectstatic`; the Dockerfile runs it.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# --- Security --------------------------------------------------------------------

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Login sessions are read from the cache (Redis in production) and written through to
# the database: the live endpoint's 304 then costs no query.
# cached_db, refusing forged keys before they reach the database (wbapp/sessions.py).
SESSION_ENGINE = "wbapp.sessions"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Browser features Workback never uses are off for its pages and anything they might embed
# (the Permissions-Policy header). Only features Chromium knows are named: it warns about
# an unknown one on every page (tests/e2e/test_permissions_policy.py).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "clipboard-read",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "identity-credentials-get",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "picture-in-picture",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    )
}

# No inline script or style anywhere: every script and stylesheet is a static file.
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
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# `make bench` only: serves the two baseline views every page is measured against.
BENCH_BASELINES = env_bool("BENCH_BASELINES", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
