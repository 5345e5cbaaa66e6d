"""Settings for the PPS Portal, read once and strictly from the environment.

See ``.env.example`` for every variable and ``docs/operations.md`` for how to run in production.
"""

from __future__ import annotations

import importlib.util
from ipaddress import ip_network
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from ppsportal.env import (
    broker_url,
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    redis_url,
    tile_origin,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set SECRET_KEY to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])
# Where links in emails point; set to the public address in production.
SITE_URL = (env_str("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ppsportal",
    "partnerships",
    "threats",
    "alerts",
    "interop",
    "sso",
    "preparedness",
]

MIDDLEWARE = [
    "ppsportal.observability.RequestObservationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "ppsportal.middleware.AdminInlineStylesMiddleware",  # inside CSPMiddleware: the admin only
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "ppsportal.middleware.NullCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ppsportal.middleware.SensitiveResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ppsportal.sessions.SessionLimitMiddleware",
    "ppsportal.mfa.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ppsportal.urls"
WSGI_APPLICATION = "ppsportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # the admin's theme (templates/admin/): ahead of django.contrib.admin's own templates
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnerships.context_processors.portal",
                "threats.context_processors.threat_picture",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {"default": database_from_url("DATABASE_URL", VAR_DIR / "ppsportal.sqlite3")}
if DATABASES["default"]["NAME"] == str(VAR_DIR / "ppsportal.sqlite3"):
    VAR_DIR.mkdir(exist_ok=True)
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", default=60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# The read door's compiled statements run prepared, once per connection (ppsportal.compiled);
# off behind a pooler in transaction mode (PgBouncer), whose server connections change between
# statements (docs/operations.md).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", default=True)
if USING_POSTGRES and "options" not in DATABASES["default"]["OPTIONS"]:
    # Session settings for the portal's connections; a URL's own options= wins over them all.
    _session = [
        # PostgreSQL compiles a query to machine code (JIT) when its estimated cost passes
        # jit_above_cost; the pages' queries with correlated subqueries (partnership health,
        # gaps) pass it at 100 times the demo and spent about 300 ms compiling for 20 ms of work
        # (docs/benchmarks.md, B6).
        "-c jit=off",
    ]
    if DATABASE_PREPARED_STATEMENTS:
        # Prepared statements planned at their first run, not anew for each of the next five
        # (PostgreSQL's default). Only prepared statements read this setting: the ORM's own
        # queries carry their values.
        _session.append("-c plan_cache_mode=force_generic_plan")
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(_session)

# --- Redis, cache and Celery ------------------------------------------------------------------
REDIS_URL = redis_url("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ppsportal",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A message that is not acknowledged within this many seconds is handed to another worker by
# Redis. It must exceed the longest task (CELERY_TASK_TIME_LIMIT) and the longest countdown/ETA
# we schedule (retries back off at most CELERY_MAX_RETRY_DELAY), or tasks would run twice.
CELERY_VISIBILITY_TIMEOUT = 3600
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_MAX_RETRY_DELAY = 1800

# The broker is Redis (REDIS_URL) unless CELERY_BROKER_URL names another, RabbitMQ for one
# (docs/operations.md); Redis stays the cache and the heartbeat's store, so it is needed too.
_broker = broker_url("CELERY_BROKER_URL")
if _broker and not REDIS_URL:
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL=... needs REDIS_URL as well (the cache and the worker heartbeat)."
    )
# Without a broker tasks run eagerly; Celery still opens its in-memory transport to check each
# message, and kombu warns ("No hostname was supplied") about a memory URL without a host.
CELERY_BROKER_URL = _broker or REDIS_URL or "memory://localhost//"
BROKER_IS_AMQP = CELERY_BROKER_URL.split(":", 1)[0] in {"amqp", "amqps", "pyamqp"}
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Publishing must not hang when Redis is down: fail fast, the outbox sweep sends later.
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_timeout": 5,
    "socket_connect_timeout": 2,
}
if BROKER_IS_AMQP:
    # RabbitMQ confirms each published message: a publish returns once the broker has it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "confirm_publish": True,
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
        "connect_timeout": 2,
    }
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# Named queues, so each kind of work has its own workers (make serve, docs/operations.md):
# "delivery" talks to SMTP, webhook receivers and the SMS gateway (slow, many in parallel);
# "fanout" hands out deliveries (the outbox sweep, escalation), never stuck behind a slow
# receiver; "default" is everything else (heartbeat, reminders, grants, expiry, retention). A
# worker started without -Q consumes all three.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue("default"), Queue("fanout"), Queue("delivery")]
CELERY_TASK_ROUTES = {
    "alerts.tasks.deliver_batch": {"queue": "delivery"},
    "alerts.tasks.sweep": {"queue": "fanout"},
    "alerts.tasks.escalate": {"queue": "fanout"},
}
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "worker-heartbeat": {
        "task": "ppsportal.tasks.record_worker_heartbeat",
        "schedule": 60.0,
    },
    # Requests do not clean up expired API tokens (one lookup each); this does, hourly.
    "api-tokens-expire": {
        "task": "ppsportal.tasks.expire_api_tokens",
        "schedule": crontab(minute=5),
    },
    "sharing-remove-lapsed-grants": {
        "task": "partnerships.tasks.remove_lapsed_grants",
        "schedule": crontab(minute="*/10"),
    },
    "partnership-reminders": {
        "task": "partnerships.tasks.send_partnership_reminders",
        "schedule": crontab(minute=15, hour="7-18"),
    },
    # Each partnership's health of the day for its history chart; the day's row is overwritten
    # each hour, so the last run of the day stands.
    "partnership-health-snapshots": {
        "task": "partnerships.tasks.record_health_snapshots",
        "schedule": crontab(minute=55),
    },
    "training-reminders": {
        "task": "preparedness.tasks.send_training_reminders",
        "schedule": crontab(minute=40, hour=7),
    },
    # Alerts: the outbox sweep re-sends what a lost worker or an absent broker left behind.
    "alerts-sweep": {
        "task": "alerts.tasks.sweep",
        "schedule": 15.0,
    },
    "alerts-escalate": {
        "task": "alerts.tasks.escalate",
        "schedule": 60.0,
    },
    "alerts-expire": {
        "task": "alerts.tasks.expire",
        "schedule": 60.0,
    },
    # Data protection: retention per data class, at night (settings RETENTION_*).
    "retention-contact-log": {
        "task": "partnerships.tasks.expire_contact_log",
        "schedule": crontab(minute=10, hour=3),
    },
    "retention-documents": {
        "task": "partnerships.tasks.expire_covenant_documents",
        "schedule": crontab(minute=15, hour=3),
    },
    "retention-reports": {
        "task": "threats.tasks.expire_reports",
        "schedule": crontab(minute=20, hour=3),
    },
    "retention-deliveries": {
        "task": "alerts.tasks.expire_deliveries",
        "schedule": crontab(minute=25, hour=3),
    },
    "retention-audit-log": {
        "task": "ppsportal.tasks.expire_audit_log",
        "schedule": crontab(minute=30, hour=3),
    },
}

# --- Authentication ---------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend behind the sign-in lockout (ppsportal/lockout.py, docs/security.md).
    "ppsportal.lockout.LockoutModelBackend",
    # guardian, answering for shareable models from the grants that count (the footing rule)
    "partnerships.sharing.backends.FootedObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in lockout, on the dashboard, the admin and the API token endpoint alike: failures of a
# username from one address, of one address, and of one username from all addresses, each
# counted for SIGNIN_LOCKOUT_SECONDS from the first failure (in the cache: Redis in production).
SIGNIN_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", default=5, minimum=1)
SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("SIGNIN_ADDRESS_FAILURE_LIMIT", default=20, minimum=1)
SIGNIN_USERNAME_FAILURE_LIMIT = env_int("SIGNIN_USERNAME_FAILURE_LIMIT", default=50, minimum=1)
SIGNIN_LOCKOUT_SECONDS = env_int("SIGNIN_LOCKOUT_SECONDS", default=15 * 60, minimum=60)
# How many reverse proxies in front of the portal append to X-Forwarded-For. 0 (the default):
# the socket's address is the client's and the header is ignored; 1: the address the one proxy
# saw. Set it to exactly the number you run: too high lets clients choose their address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0, minimum=0)
# Second factor for staff (ppsportal/mfa.py): the issuer an authenticator app shows.
OTP_TOTP_ISSUER = "PPS Portal"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

# --- Single sign-on (OpenID Connect, docs/integrations.md) -------------------------------------
# Off unless a provider's client id is set. Users are matched by the signed iss+sub and placed by
# an approved sso.OrganisationRule, never by e-mail domain.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
SSO_ENABLED = bool(OIDC_RP_CLIENT_ID)
# The provider's name on the sign-in page's button ("Sign in with <name>"), e.g. "Rijksportaal".
SSO_PROVIDER_NAME = env_str("SSO_PROVIDER_NAME", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
# amr/acr values by which the provider vouches for a second factor (NCTV staff need one).
SSO_STAFF_MFA_AMR = env_list("SSO_STAFF_MFA_AMR", [])
SSO_STAFF_MFA_ACR = env_list("SSO_STAFF_MFA_ACR", [])
if SSO_ENABLED:
    for _name in (
        "OIDC_RP_CLIENT_SECRET",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
    ):
        if not globals()[_name]:
            raise ImproperlyConfigured(f"OIDC_RP_CLIENT_ID is set, so {_name} must be set too.")
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "sso.backends.PortalOIDCBackend"]
LOGOUT_REDIRECT_URL = "login"
# Browser sessions end after SESSION_IDLE_TIMEOUT seconds without a request (30 minutes) and
# SESSION_ABSOLUTE_TIMEOUT seconds after signing in (12 hours), whatever happened since
# (ppsportal.sessions.SessionLimitMiddleware). The cookie lives no longer than the session.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", default=30 * 60, minimum=60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 3600, minimum=300)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=SESSION_ABSOLUTE_TIMEOUT, minimum=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # Production: HTTPS only. The proxy in front terminates TLS and says so in X-Forwarded-Proto
    # (it must overwrite any such header a client sends); plain http is redirected to https,
    # except the health check a load balancer may ask over http.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^healthz$", r"^readyz$"]
    # Browsers keep to https for a year, on this host and its subdomains. Preloading is the
    # domain owner's one-way decision (anyone may submit a domain that asks for it): off unless
    # set, hence security.W021 silenced below.
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [
    "security.W021",  # HSTS preload: see above
    "guardian.W001",  # guardian's backend is hooked, as its subclass FootedObjectPermissionBackend
]

# django-guardian: we never create an anonymous user row; partners must sign in.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "ppsportal" / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
# Dates, times and numbers as a European reads them, in Dutch and British English (24-hour
# clock, day first, thousands separated): ppsportal/formats/.
FORMAT_MODULE_PATH = ["ppsportal.formats"]
USE_THOUSAND_SEPARATOR = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "static/"
# Leaflet (the map) is served by the portal itself from the django-leaflet package's files; the
# package is not an installed app (that would need GDAL), only its static folder is used.
STATICFILES_DIRS = [
    Path(importlib.util.find_spec("leaflet").submodule_search_locations[0]) / "static"
]
# Map tiles come from here: by default the Dutch government's background map, the PDOK
# BRT-Achtergrondkaart (WMTS, Web Mercator); any {z}/{x}/{y} tile server will do. When no tile
# can load, the maps draw a bundled outline of the Netherlands instead (threats/views_map.py).
MAP_TILE_URL = env_str(
    "MAP_TILE_URL",
    "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png",
)
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "Kaartgegevens © Kadaster (PDOK)")
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")) or VAR_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Uploaded documents are kept small; the limit is checked again per field by the services.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024, minimum=1024)

# --- Content Security Policy (django-csp) ----------------------------------------------------
# Scripts, styles, images and connections from the portal itself only; no inline script or
# style, no eval, no plugins, no framing. Map tiles are the one outside source (MAP_TILE_URL's
# origin, "{s}" subdomains as a wildcard); Swagger UI and Leaflet draw icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", tile_origin(MAP_TILE_URL)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Email ------------------------------------------------------------------------------------
_email = email_from_url("EMAIL_URL")
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PPS Portal <noreply@ppsportal.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ppsportal.api.authentication.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "ppsportal.api.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_TOKEN_THROTTLE", "20/minute"),
        # the unauthenticated feed and CAP documents of TLP:CLEAR alerts, per client address
        "public_alerts": env_str("API_PUBLIC_ALERTS_THROTTLE", "60/minute"),
    },
    "EXCEPTION_HANDLER": "ppsportal.api.exceptions.exception_handler",
    # Throttles key on the client address the same way the lockout does (TRUSTED_PROXY_COUNT).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", default=24 * 30, minimum=1)
from datetime import timedelta  # noqa: E402

REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 20,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PPS Portal API",
    "DESCRIPTION": (
        "The REST API of the PPS Portal: public-private partnerships protecting crowded places. "
        "Authenticate with `POST /api/v1/auth/token/`, then send `Authorization: Token <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One name per choice set, where field names ("kind", "status", "role") are shared.
    "ENUM_NAME_OVERRIDES": {
        "PartnershipKindEnum": "partnerships.models.PartnershipKind",
        "PartnershipStatusEnum": "partnerships.models.Partnership.Status",
        "PartnerRoleEnum": "partnerships.models.PartnerRole",
        "OrganisationRoleEnum": "partnerships.models.Role",
        "CovenantKindEnum": "partnerships.models.Covenant.Kind",
        "CovenantStatusEnum": "partnerships.models.Covenant.Status",
        "ContactKindEnum": "partnerships.models.ContactEntry.Kind",
        "TlpEnum": "ppsportal.sensitivity.TLP",
        "JurisdictionEnum": "partnerships.models.Jurisdiction",
        "AlertLevelEnum": "threats.models.AlertLevel",
        "MeasureEnum": "threats.models.Measure",
        "MeasureStatusEnum": "threats.models.MeasureStatus",
        "ReportKindEnum": "threats.models.Report.Kind",
        "ReportStatusEnum": "threats.models.Report.Status",
        "MotiveEnum": "threats.models.Motive",
        "AlertKindEnum": "alerts.models.Alert.Kind",
        "AlertStatusEnum": "alerts.models.Alert.Status",
        "CapUrgencyEnum": "alerts.models.Urgency",
        "CapSeverityEnum": "alerts.models.Severity",
        "CapCertaintyEnum": "alerts.models.Certainty",
        "ProcedureKindEnum": "preparedness.models.ProcedureKind",
        "ProcedureStateEnum": "preparedness.models.ProcedureState",
        "ExerciseStatusEnum": "preparedness.models.ExerciseStatus",
        "GuidanceKindEnum": "preparedness.models.GuidanceKind",
        "AlertStatusReportEnum": "alerts.models.StatusReport.Status",
    },
}

# --- Logging ----------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL={LOG_LEVEL!r} is not one of DEBUG, INFO, WARNING, ERROR."
    )
# One JSON object per line with the request id (ppsportal/logs.py); "plain" for people reading.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not one of json, plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ppsportal.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "ppsportal.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
# Workers log through the same handler (JSON, request id) instead of Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Metrics (ppsportal/metrics.py): /metrics answers only these scrapers, 404 to anyone else ---
METRICS_TOKEN = env_str("METRICS_TOKEN")  # scraper sends "Authorization: Bearer <token>"
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", default=[])  # addresses or networks
for _network in METRICS_ALLOWED_IPS:
    try:
        ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_IPS={_network!r} is not an IP address or network."
        ) from None

# --- Alerts -----------------------------------------------------------------------------------
SMS_BACKEND = env_str("SMS_BACKEND", "alerts.channels.sms.ConsoleBackend")
# The HTTP SMS gateway (SMS_BACKEND=alerts.channels.sms_gateway.GatewayBackend): the provider's
# "send a message" URL, its API key (sent as a bearer token), the sender name or number, and the
# secret it signs delivery receipts with (POST /api/v1/sms-receipts/). docs/alerts.md.
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_API_KEY = env_str("SMS_GATEWAY_API_KEY", "")
SMS_GATEWAY_SENDER = env_str("SMS_GATEWAY_SENDER", "NCTV")
SMS_GATEWAY_RECEIPT_SECRET = env_str("SMS_GATEWAY_RECEIPT_SECRET", "")
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", default=5, minimum=1)
# A receipt signed longer ago than this (seconds) is refused: a replay.
SMS_GATEWAY_RECEIPT_TOLERANCE = env_int("SMS_GATEWAY_RECEIPT_TOLERANCE", default=300, minimum=1)
if SMS_BACKEND == "alerts.channels.sms_gateway.GatewayBackend":
    for _name in ("SMS_GATEWAY_URL", "SMS_GATEWAY_API_KEY", "SMS_GATEWAY_RECEIPT_SECRET"):
        if not globals()[_name]:
            raise ImproperlyConfigured(f"{_name} must be set when SMS_BACKEND is the gateway.")
ALERTS_MAX_ATTEMPTS = env_int("ALERTS_MAX_ATTEMPTS", default=6, minimum=1)
ALERTS_RETRY_BASE_SECONDS = env_int("ALERTS_RETRY_BASE_SECONDS", default=30, minimum=1)
ALERTS_SWEEP_GRACE_SECONDS = env_int("ALERTS_SWEEP_GRACE_SECONDS", default=30, minimum=0)
# At most this many rows re-enqueued (and as many claims taken back) per sweep run.
ALERTS_SWEEP_LIMIT = env_int("ALERTS_SWEEP_LIMIT", default=20_000, minimum=1)
# A channel's transport replaced by dotted path, e.g. {"email": "tests.x.RecordingEmail"}:
# for tests and the reliability suite only (docs/alerts.md).
ALERTS_TRANSPORTS: dict[str, str] = {}
# An enqueued row is left to its task this long before the sweep enqueues it again.
ALERTS_DISPATCH_LEASE_SECONDS = env_int("ALERTS_DISPATCH_LEASE_SECONDS", default=120, minimum=1)
# A claim holds this long unless the worker's heartbeat (every third of it) renews it; past it
# the sweep takes the row back: a lost worker's deliveries move on within about this much.
ALERTS_CLAIM_LEASE_SECONDS = env_int("ALERTS_CLAIM_LEASE_SECONDS", default=30, minimum=3)
ALERTS_WEBHOOK_TIMEOUT = env_int("ALERTS_WEBHOOK_TIMEOUT", default=5, minimum=1)
# SMTP connections a worker process keeps open at once while sending a batch's e-mails: that many
# messages are written up to their final line, pass one entitlement gate together and are
# completed together (docs/alerts.md, "A send in three steps"). Keep it under the SMTP server's
# limit of connections per client.
ALERTS_EMAIL_CONNECTIONS = env_int("ALERTS_EMAIL_CONNECTIONS", default=10, minimum=1)
ALERTS_WEBHOOK_MAX_FAILURES = env_int("ALERTS_WEBHOOK_MAX_FAILURES", default=5, minimum=1)
# Webhooks to plain http and to private, loopback or local addresses: for the test suite and a
# receiver on one's own machine only. Off by default and independent of DEBUG; never in
# production (`check --deploy` warns). Cloud metadata addresses stay refused even when on.
ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool(
    "ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False
)
ALERTS_DUTY_OFFICER_GROUP = env_str("ALERTS_DUTY_OFFICER_GROUP", "NCTV duty officers")
# Seconds between the dashboard's checks for new alerts (inbox) and board updates (NCTV board).
ALERTS_INBOX_POLL_SECONDS = env_int("ALERTS_INBOX_POLL_SECONDS", default=15, minimum=1)
ALERTS_BOARD_POLL_SECONDS = env_int("ALERTS_BOARD_POLL_SECONDS", default=10, minimum=1)
# The CAP 1.2 <sender> of every alert: one stable identifier of this portal's NCTV.
ALERTS_CAP_SENDER = env_str("ALERTS_CAP_SENDER", "nctv@pps-portal.example")

# --- Data protection (AVG): how long each class of personal data is kept (docs/privacy.md) --------
# Enforced every night by the beat schedule below; each removal is audited (counts and public
# ids only, never the removed content).
# Contact log (who met whom, about what): 5 years after the contact, covering a covenant's term
# and the evaluation after it.
RETENTION_CONTACT_LOG_DAYS = env_int("RETENTION_CONTACT_LOG_DAYS", default=5 * 365, minimum=30)
# Closed reports from partners (they may describe persons): 2 years after the report, for
# trend analysis of the threat picture; open reports stay until they are closed.
RETENTION_REPORTS_DAYS = env_int("RETENTION_REPORTS_DAYS", default=2 * 365, minimum=30)
# Alert deliveries per person (who received what, when, on which channel): 2 years, to prove an
# alert arrived (evaluations, inquiries); the alert and organisations' acknowledgements stay.
RETENTION_DELIVERIES_DAYS = env_int("RETENTION_DELIVERIES_DAYS", default=2 * 365, minimum=30)
# The audit log (who read what, sign-in failures with addresses): 3 years, to investigate a leak
# found late and answer access requests; never less than 180 days (BIO logging baseline), which
# the database itself enforces (ppsportal migration 0004).
RETENTION_AUDIT_LOG_DAYS = env_int("RETENTION_AUDIT_LOG_DAYS", default=3 * 365, minimum=180)
# Signed covenant documents (names and signatures): 7 years after the covenant ended, beyond the
# 5-year limitation period for claims under it (art. 3:307 BW).
RETENTION_DOCUMENTS_DAYS = env_int("RETENTION_DOCUMENTS_DAYS", default=7 * 365, minimum=30)

# --- Portal -----------------------------------------------------------------------------------
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "pps-demo-2026")
