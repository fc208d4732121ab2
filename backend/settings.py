"""Indberet settings: one module, driven by environment variables (see docs/configuration.md)."""

import sys
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from backend.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_str,
    postgres_prepared_statements,
    postgres_without_jit,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
TESTING = "pytest" in sys.modules or env_bool("TESTING")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", required=not (DEBUG or TESTING))
if SECRET_KEY is None:
    # Only reachable in DEBUG or tests: a fixed, publicly known key, never used in production.
    SECRET_KEY = "insecure-dev-only-" + "x" * 40  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Who collects the data and publishes the figures: named as the sender on the report's cover.
ORGANISATION_NAME = env_str("ORGANISATION_NAME", "Indberet")

INSTALLED_APPS = [
    "django.contrib.admin",
    # Before django.contrib.auth so that its `changepassword` command replaces Django's (the
    # new password goes through accounts.services.set_password and revokes API tokens).
    "accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "reference",
    # Database triggers (PostgreSQL only): the audit table refuses UPDATE and DELETE.
    "pgtrigger",
    "surveys",
    "submissions",
    "tracking",
    "exports",
    "imports",
    "demo",
]

MIDDLEWARE = [
    # First, so that it sees every answer: errors under /api/ in the API's JSON error shape.
    "lib.api_errors.ApiErrorShapeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body: 413 for an API request over API_MAX_BODY_BYTES.
    "backend.api_limits.ApiBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # request.htmx: the survey builder answers an htmx request with a fragment of its page.
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Absolute session lifetime, then TOTP for roles that must have it (accounts/middleware.py).
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database: SQLite under var/ is the embedded default; PostgreSQL is the real one.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'indberet.sqlite3'}")}
# PostgreSQL's JIT costs more than it saves on this app's short queries (backend/env.py).
postgres_without_jit(DATABASES["default"])
# Planning the same short statements on every request costs more than running them.
postgres_prepared_statements(
    DATABASES["default"], enabled=env_bool("DATABASE_PREPARED_STATEMENTS", True)
)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: database cache by default (real, shared between processes), Redis when set.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "indberet_cache",
        }
    }

# --- Accounts (django-allauth): e-mail login, login by code, mandatory verification, no sign-up.
AUTH_USER_MODEL = "accounts.User"
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
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 600
ACCOUNT_FORMS = {"request_login_code": "accounts.forms.RequestLoginCodeForm"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Indberet] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
# The client's address: behind deploy/nginx.conf (one proxy, which overwrites
# X-Forwarded-For with the address it saw) it is the last X-Forwarded-For entry; with no proxy
# (DEBUG, runserver) it is REMOTE_ADDR and X-Forwarded-For is ignored. The same count is used
# by allauth's rate limits, DRF's throttles and the audit log (accounts.audit.client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0 if DEBUG or TESTING else 1)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Per address (ip) and per account (key): spreading guesses over many addresses still meets
# the per-account limit; a flood from one address does not lock anyone else out.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "login": "30/m/ip",
    "request_login_code": "5/5m/ip,3/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Indberet"
# Coordinators, analysts and superusers cannot switch TOTP off (accounts/mfa.py).
MFA_ADAPTER = "accounts.mfa.MFAAdapter"
# The setup page keeps its secret for the session (allauth makes a new one on every GET).
MFA_FORMS = {"activate_totp": "accounts.mfa.ActivateTOTPForm"}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# --- Sessions: idle timeout (renewed on activity) within an absolute lifetime.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Language and time
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Dansk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

# --- Static files: DKFDS from npm (node_modules), collected; whitenoise serves them.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("dkfds", BASE_DIR / "node_modules" / "dkfds" / "dist"),
    # htmx (the survey builder's partial updates), also from npm; never a copy in the repository.
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
# Files browsers ask for at the site root (favicon.ico, apple-touch-icon.png, robots.txt),
# served by whitenoise before any middleware could redirect them.
WHITENOISE_ROOT = BASE_DIR / "backend" / "root_files"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail: files under var/mail in debug (readable by a person), outbox in tests, SMTP otherwise.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Indberet <noreply@indberet.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# --- Background work: Tasks API. Immediate in the embedded default, database worker in production.
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be 'immediate' or 'database', got {TASKS_BACKEND!r}."
    )

# --- REST API
# The largest API request body (a full entries submission is well under 100 kB).
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1_000_000)
# POST rounds/{slug}/imports/ carries a file of at most 50 MB (imports.reader.MAX_FILE_BYTES).
API_IMPORT_MAX_BODY_BYTES = env_int("API_IMPORT_MAX_BODY_BYTES", 51 * 1024 * 1024)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_auth.TokenAuthentication",
        "accounts.api_auth.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_RATE", "600/minute"),
        # Downloads per user (pages and API): exports, the report PDF, receipt PDFs.
        "exports": env_str("EXPORT_RATE", "60/hour"),
    },
    "EXCEPTION_HANDLER": "lib.api_errors.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Indberet API",
    "DESCRIPTION": "Indberetninger fra de 98 kommuner: runder, besvarelser, status og eksport.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The docs page (templates/api/swagger_ui.html): no deep-link anchors inside the operation
    # buttons (axe: nested-interactive), and our layout without a second <main>
    # (static/api/swagger-layout.js).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "layout": "IndberetLayout"},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoundStateEnum": "surveys.models.RoundState",
        "SubmissionStateEnum": "submissions.models.SubmissionState",
        "StatusStateEnum": "tracking.api.STATUS_STATES",
        "AnalysisStateEnum": "exports.api.ANALYSIS_STATES",
        "GroupingKindEnum": "exports.api.GROUPING_KINDS",
        "KindEnum": "exports.api.VALUE_KINDS",  # the name it had before GroupingKindEnum
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.api_schema.finish_schema",
    ],
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# --- Security headers. Production values are the defaults; DEBUG relaxes only what needs https.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- Product settings
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo-indberet-2026")
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 14)
