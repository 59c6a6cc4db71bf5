"""Settings for timebank, driven by the environment.

Nothing set: SQLite, in-memory channel layer, DEBUG (runs out of the box).
DJANGO_DEBUG=0 is production: secrets and hosts must be given or start-up fails.
"""

import os
from pathlib import Path
from typing import overload

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


# With a default the value is always a string, so settings read from here keep a precise type.
@overload
def env(name: str, default: str) -> str: ...
@overload
def env(name: str, default: None = None) -> str | None: ...
def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_DEBUG=0")
    return value


# Mode ---------------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
DEBUG = env("DJANGO_DEBUG", "1") != "0"
TESTING = env("TIMEBANK_TESTING") == "1"

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-" + "x" * 32)
    ALLOWED_HOSTS = (env("DJANGO_ALLOWED_HOSTS") or "localhost,127.0.0.1,[::1],testserver").split(",")
else:
    SECRET_KEY = required("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = required("DJANGO_ALLOWED_HOSTS").split(",")
    required("DATABASE_URL")
    required("REDIS_URL")

CSRF_TRUSTED_ORIGINS = [o for o in (env("DJANGO_CSRF_TRUSTED_ORIGINS") or "").split(",") if o]

# Applications -------------------------------------------------------------------------------
INSTALLED_APPS = [
    "daphne",  # first, so runserver serves ASGI (HTTP and WebSocket)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "members",
    "members.safeguarding",
    "exchanges.ledger",
    "exchanges",
    "exchanges.matching",
    "exchanges.reports",
    "exchanges.imports",
    "messaging.notifications",
    "messaging",
    "members.privacy",
]

MIDDLEWARE = [
    "timebank.api.ErrorShapeMiddleware",  # outermost: every error under /api/ and /_allauth/ leaves as JSON
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "timebank.unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "timebank.input_guard.InputGuardMiddleware",  # NUL anywhere, allauth's JSON bodies: 400 before any view
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.middleware.PersonLanguageMiddleware",  # after auth: the person's chosen language wins
    "timebank.middleware.RefusalMiddleware",
]

ROOT_URLCONF = "timebank.urls"
WSGI_APPLICATION = "timebank.wsgi.application"
ASGI_APPLICATION = "timebank.asgi.application"

# Widgets render through the project's templates, so that one of them (timebank/templates/widgets/) is found.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "timebank" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Hours and minutes everywhere ("1 h 15 min"): the `duration` filters need no {% load %}.
            "builtins": ["timebank.template_filters"],
            "context_processors": [
                "timebank.context_processors.source",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "messaging.context_processors.unread",
                "members.context_processors.areas",
            ],
        },
    },
]

# Database -----------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/databases/
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")))}
    # Explicit, so a live-server process given the test settings does not prefix it twice.
    DATABASES["default"]["TEST"] = {"NAME": "test_" + DATABASES["default"]["NAME"]}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        options = DATABASES["default"].setdefault("OPTIONS", {})
        # Parameters travel apart from the statement text, so psycopg prepares a statement once a
        # connection has run it five times and PostgreSQL stops re-planning it (bench/RESULTS.md).
        # Django turns preparing off unless `prepare_threshold` is given. A server that does not answer
        # fails the connection attempt after a few seconds instead of hanging the request.
        options.update(server_side_binding=True, prepare_threshold=5, connect_timeout=5)
        # A bounded pool per process (psycopg's, built into Django). Under ASGI every request runs on a
        # thread of its own, and persistent connections piled up one per thread until PostgreSQL refused
        # more (bench/RESULTS.md, "Database connections"). Past `timeout` seconds without a free
        # connection, or with the database unreachable, a request answers 503 (timebank.unavailable).
        # Off in the test process by default: its worker threads keep a connection each, for the test.
        if env("DATABASE_POOL", "0" if TESTING else "1") == "1":
            DATABASES["default"]["CONN_MAX_AGE"] = 0
            options["pool"] = {
                "min_size": 1,
                "max_size": int(env("DATABASE_POOL_SIZE", "8")),
                "timeout": float(env("DATABASE_POOL_TIMEOUT", "5")),
                # psycopg backs off exponentially between reconnect attempts with no cap: give up after a
                # few seconds instead, and the next request starts a fresh attempt, so the service resumes
                # within a second or two of the database coming back.
                "reconnect_timeout": 5.0,
            }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            # IMMEDIATE + WAL + a busy timeout: concurrent writers queue instead of failing.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory: the live-server tests share it across threads.
            "TEST": {"NAME": BASE_DIR / ".test-db.sqlite3"},
        }
    }
    # Matching's covering indexes (INCLUDE columns) are a PostgreSQL feature; SQLite keeps the keys.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache, channel layer -----------------------------------------------------------------------
# https://channels.readthedocs.io/en/latest/topics/channel_layers.html
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    # A Redis that stops answering costs a request at most a second or two, then the cache acts as empty.
    CACHES = {
        "default": {
            "BACKEND": "timebank.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Pub/sub: resubscribes by itself after a Redis restart and never drops on a full channel;
    # measured against the classic layer in bench/RESULTS.md ("Messaging").
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": env("TIMEBANK_CHANNEL_BACKEND", "channels_redis.pubsub.RedisPubSubChannelLayer"),
            "CONFIG": {"hosts": [h for h in REDIS_URL.split(",") if h]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Accounts -----------------------------------------------------------------------------------
# https://docs.allauth.org/en/latest/account/configuration.html
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    # Tests create many people; a slow hash is the point in production, not here.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "optional" if DEBUG else "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "timebank: "  # as the digests: not the host name allauth would put
ACCOUNT_LOGOUT_ON_GET = False
LOGIN_REDIRECT_URL = "/"
ACCOUNT_SIGNUP_REDIRECT_URL = "/welcome/"  # a new person's next step: join a network
LOGIN_URL = "/accounts/login/"
# Sessions (and so app tokens) are read on every request: serve them from the cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
HEADLESS_ONLY = False  # the product has server-rendered pages too
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_FRONTEND_URLS = {}
HEADLESS_TOKEN_STRATEGY = "timebank.authentication.SessionTokenStrategy"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "timebank"  # the name a code app shows beside the codes

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("DJANGO_EMAIL_PORT", "25"))
EMAIL_TIMEOUT = 10  # a mail server that hangs holds a worker this long at most, then the mail is retried
ACCOUNT_USER_DISPLAY = "members.adapter.user_display"  # what allauth calls a person, to that person only
ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"  # its emails go through the mail queue

# Tasks --------------------------------------------------------------------------------------
# https://github.com/RealOrangeOne/django-tasks (Django 6's tasks, backported)
# Production queues in the database (`manage.py db_worker` runs them, the compose `worker` service);
# development and tests run each task at once, after the commit that queued it.
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[env("TIMEBANK_TASKS", "immediate" if DEBUG else "database")]
    }
}
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "timebank@localhost")
# Where emails link to (digests): the address people reach the site at, without a trailing slash.
SITE_URL = env("TIMEBANK_SITE_URL", "http://localhost:8000").rstrip("/")

# Push and SMS delivery ----------------------------------------------------------------------
# Notifications reach phones from an outbox (messaging/notifications/delivery.py), sent by the task worker.
# Web Push (RFC 8030/8291/8292): VAPID keys as base64url (timebank/vapid.py says which form); production must
# give them, development keeps a stable pair in a file of its own.
if DEBUG:
    from timebank.vapid import dev_keys

    _vapid_dev = dev_keys(Path(env("VAPID_DEV_KEYS_FILE", str(BASE_DIR / ".vapid-dev-keys.json"))))
    VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY") or _vapid_dev[0]
    VAPID_PUBLIC_KEY = env("VAPID_PUBLIC_KEY") or _vapid_dev[1]
else:
    VAPID_PRIVATE_KEY = required("VAPID_PRIVATE_KEY")
    VAPID_PUBLIC_KEY = required("VAPID_PUBLIC_KEY")
# Development mode also takes subscriptions at loopback http addresses, so tests run a local push service;
# production takes https push services on the internet only. `TIMEBANK_PUSH_LOCAL_SERVICE=1` lets the push
# benchmark (bench/push/run.py) run production settings against its local push service; never set it in a
# real installation (`check --deploy` warns).
PUSH_ALLOW_LOOPBACK_HTTP = DEBUG or env("TIMEBANK_PUSH_LOCAL_SERVICE") == "1"
# Who runs this installation, for the push services (a mailto: or https: URL).
VAPID_SUBJECT = env("VAPID_SUBJECT", "mailto:timebank@localhost")
# A crashed worker's claim on a delivery lapses after this long, then the sweep sends it again.
DELIVERY_LEASE_SECONDS = int(env("TIMEBANK_DELIVERY_LEASE_SECONDS", "120"))
# SMS for the few notifications that need an answer, through a backend like Django's email backends:
# messaging.notifications.sms.ConsoleBackend (development), LocmemBackend (tests), or an installation's own
# provider's. Empty: no SMS at all (production until an operator chooses a provider).
SMS_BACKEND = env(
    "SMS_BACKEND",
    "messaging.notifications.sms.LocmemBackend"
    if TESTING
    else ("messaging.notifications.sms.ConsoleBackend" if DEBUG else ""),
)
# Inbound SMS replies are posted to /api/v1/sms/inbound/ with a timestamp, signed with HMAC-SHA256 of it and
# the body under this shared secret (README, Production); without one every inbound post is refused.
SMS_WEBHOOK_SECRET = env("SMS_WEBHOOK_SECRET", "dev-only-sms-webhook-secret" if DEBUG else "")

# API ----------------------------------------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "timebank.authentication.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "timebank.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "timebank.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "timebank.schema.AutoSchema",
    "EXCEPTION_HANDLER": "timebank.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["timebank.throttling.FailOpenUserThrottle"],
    # Per person, counted per minute: far above what a person or an app does, low enough to stop a loop.
    "DEFAULT_THROTTLE_RATES": {"user": env("TIMEBANK_API_RATE", "1200/minute")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Per person across every process and door (messaging/limits.py): chat messages, at most this many a
# minute with bursts of TIMEBANK_CHAT_BURST, and open sockets.
TIMEBANK_CHAT_RATE = env("TIMEBANK_CHAT_RATE", "60/minute")
TIMEBANK_CHAT_BURST = int(env("TIMEBANK_CHAT_BURST", "20"))
TIMEBANK_SOCKETS_PER_PERSON = int(env("TIMEBANK_SOCKETS_PER_PERSON", "10"))
SPECTACULAR_SETTINGS = {
    "TITLE": "timebank API",
    "DESCRIPTION": "Time-banking networks: members, listings, exchanges, the ledger, messaging.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files: no CDN needed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Requests and responses described apart, so a field that refuses blanks says so (minLength 1).
    "COMPONENT_SPLIT_REQUEST": True,
    # The API's contract is JSON (PRODUCT §4); form parsing stays for the browsable API, undocumented.
    "PARSER_WHITELIST": ["timebank.parsers.StrictJSONParser"],
    # One name for a choice set used by several fields.
    "ENUM_NAME_OVERRIDES": {
        "AvailabilitySlotEnum": "members.profiles.AVAILABILITY_SLOTS",
        "SkillSlugEnum": "members.taxonomy.SHIPPED_SKILL_SLUGS",
        "ListingKindEnum": ["offer", "request"],  # a listing's kind, and a match's in search
    },
    # messaging's <tb_id:…> path converter: up to 18 digits (messaging/converters.py).
    "PATH_CONVERTER_OVERRIDES": {"tb_id": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}},
    # The error shape on every operation (timebank/schema.py); the enum hook is drf-spectacular's default.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "timebank.schema.document_errors"],
}

# Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
# Each name in its own language, as a language switch shows them.
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# Licence ------------------------------------------------------------------------------------
# AGPL-3.0-or-later §13: every page links to the source of the code it runs. An installation that
# changes the code points this at its own copy.
TIMEBANK_SOURCE_URL = env("TIMEBANK_SOURCE_URL", "https://github.com/timebank/timebank")

# Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "timebank" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Request bodies -------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#data-upload-max-memory-size
# One cap for every body: Django applies it to forms and `request.body` (allauth), timebank.parsers
# to the API's JSON, which DRF reads past Django's check. The largest body the product takes is a
# few KiB; nginx allows 1 MiB before Django sees anything.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
CSRF_FAILURE_VIEW = "timebank.api.csrf_failure"

# Security -----------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Clients behind the proxy -------------------------------------------------------------------
# https://docs.allauth.org/en/latest/common/configuration.html
# Limits keyed on a client's address (allauth's login and signup limits, the API's anonymous
# throttle) read it here. Behind N proxies that each append to X-Forwarded-For (nginx in
# docker-compose.yml: 1), the client is the Nth address from the right; entries further left are
# whatever the client sent and are never trusted. 0, the default, means no proxy: the connection's own
# address, the header ignored. Or name one header the proxy sets (e.g. X-Real-IP) instead.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("TIMEBANK_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TIMEBANK_CLIENT_IP_HEADER") or None

# Content-Security-Policy and Permissions-Policy ------------------------------------------------
# https://django-csp.readthedocs.io/en/latest/configuration.html
# https://github.com/adamchainz/django-permissions-policy
# Scripts, styles and everything else from this site only: no inline script, no inline style (pages
# use classes from site.css, scripts are static files). The socket is 'self' too; the site's own
# https origins are also named as wss:// for browsers that do not count a socket as 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF]
        + ["wss://" + o.split("://", 1)[1] for o in CSRF_TRUSTED_ORIGINS if o.startswith("https://") and "*" not in o],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Powerful features the product never uses, refused to the page and anything it might embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "WARNING")},
}
