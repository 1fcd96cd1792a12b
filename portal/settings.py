"""
Settings for the face recognition register.

Everything that differs between a laptop and production comes from the
environment, with defaults that are safe: DEBUG is off unless asked for, and a
SECRET_KEY is required whenever DEBUG is off.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from portal.cacheurl import cache_for

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. "
            "For local development run with DEBUG=1 (the run command does this)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "registry",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # HTML compressed; Django's middleware pads each response with random bytes
    # in the gzip header (its BREACH mitigation), and CSRF tokens are masked per request.
    "django.middleware.gzip.GZipMiddleware",
    "portal.middleware.DatabaseBusyMiddleware",
    "portal.routers.PublicReadMiddleware",
    "portal.middleware.AllowedMethodsMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "registry.counts.RegisterVersionMiddleware",
    "portal.middleware.ExpensiveRequestRateLimitMiddleware",
    "registry.canonical.CanonicalListQueryMiddleware",
    # Whole public pages and API lists kept per register version (issue 13).
    "registry.response_cache.ResponseCacheMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.csp",
                "registry.context_processors.site",
            ],
            "builtins": [
                "registry.templatetags.registry_tags",
                "registry.templatetags.place_tags",
            ],
        },
    },
]

# SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# --- Security (issue 12): SQLite under concurrent writers -------------------
# WAL lets pages read while an import writes; IMMEDIATE makes a write
# transaction take the lock at its start, so it waits up to the busy timeout
# instead of failing half-way. A request that still cannot get the lock is a
# 503 with Retry-After (portal.middleware.DatabaseBusyMiddleware).
SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "10"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT,
        }
    )
BUSY_RETRY_AFTER_SECONDS = 5
# --- end Security: SQLite ---------------------------------------------------
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs hundreds of milliseconds on the register's short,
    # correlated queries (its cost estimates overrate them); pages never gain.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# --- Security (issue 12): PostgreSQL statement timeout for web requests -----
# A web process (portal/wsgi.py and asgi.py set REGISTER_WEB_PROCESS=1) gives
# every statement DATABASE_STATEMENT_TIMEOUT milliseconds; a cancelled one is
# a 503 (portal.middleware). Management commands (imports, builds) have none.
DATABASE_STATEMENT_TIMEOUT = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "5000"))
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and env_bool("REGISTER_WEB_PROCESS")
    and DATABASE_STATEMENT_TIMEOUT
):
    DATABASES["default"]["OPTIONS"]["options"] += (
        f" -c statement_timeout={DATABASE_STATEMENT_TIMEOUT}"
    )
# --- end Security: statement timeout ----------------------------------------
# --- Security (issue 12): a read replica for public pages --------------------
# With DATABASE_REPLICA_URL, public GET/HEAD requests read from that replica
# (portal.routers.ReplicaRouter); the admin, forms and every write use the
# primary. Tests read the replica as a mirror of the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        ),
        "OPTIONS": dict(DATABASES["default"].setdefault("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["portal.routers.ReplicaRouter"]
# --- end Security: read replica ---------------------------------------------
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", "") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed file names in production; plain files when
        # debugging or testing, so nothing depends on collectstatic having run.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# Strict Content Security Policy: nothing from third parties, no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
)
# --- Security (issue 12): HTTPS redirect, HSTS, Permissions-Policy ----------
# On by default in production behind the TLS proxy; each can be turned off.
_HTTPS_BY_DEFAULT = env_bool("BEHIND_TLS_PROXY") and not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS_BY_DEFAULT)
# Probes of a load balancer or an orchestrator may speak plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "") or (31_536_000 if _HTTPS_BY_DEFAULT else 0)
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _HTTPS_BY_DEFAULT)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _HTTPS_BY_DEFAULT)
# Browser features the site never uses, denied to it and to anything it frames.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), fullscreen=(), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "publickey-credentials-get=(self), screen-wake-lock=(), usb=(), xr-spatial-tracking=()"
)
# --- end Security: HTTPS ----------------------------------------------------

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fr-register",
    }
}
# --- Security (issue 12): a cache shared by every process and machine -------
# Counts, rate limits and login lockouts live in the cache; with more than one
# process they must share it. CACHE_URL=redis://host:6379/0 uses Django's Redis
# backend; any other value (e.g. CACHE_URL=db) the database table
# `register_cache` (created by `manage.py createcachetable`, which
# `make serve-production` runs). Unset: memory of each process (development).
CACHE_URL = os.environ.get("CACHE_URL", "")
if shared_cache := cache_for(CACHE_URL):
    CACHES = {"default": shared_cache}
# --- end Security: cache ----------------------------------------------------

# --- Security (issue 12): structured logs ------------------------------------
# One JSON object a line (portal/logging.py) unless LOG_FORMAT=text; DEBUG
# defaults to text. gunicorn.conf.py gives gunicorn's own loggers (its errors,
# raised outside Django) the same configuration.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "") or ("text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "portal.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # gunicorn's loggers propagate to the root handler above.
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
    },
}
# --- end Security: structured logs ------------------------------------------

# --- Security (issue 12): HTTP methods ----------------------------------------
# GET and HEAD everywhere; POST only under these paths (forms); OPTIONS only
# under the API (CORS preflight). Everything else is a 405
# (portal.middleware.AllowedMethodsMiddleware). Add a prefix for a new form.
POST_PATH_PREFIXES = ["/admin/", "/suggest/"]
OPTIONS_PATH_PREFIX = "/api/v1/"
# --- end Security: HTTP methods ---------------------------------------------

# --- Security (issue 12): costly requests -----------------------------------
# Full exports, searches and bulk downloads per client address per window,
# counted in the (shared) cache; 0 turns the limit off.
EXPENSIVE_RATE_LIMIT = int(os.environ.get("EXPENSIVE_RATE_LIMIT", "60"))
EXPENSIVE_RATE_WINDOW = int(os.environ.get("EXPENSIVE_RATE_WINDOW", "60"))
# --- end Security: costly requests ------------------------------------------

# --- Security (issue 12): operations ----------------------------------------
# /.well-known/security.txt names this contact (a mailto: or https: URL); 404 when unset.
SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "")
# --- end Security: operations -----------------------------------------------

# The register itself.
REGISTER_NAME = "Face Recognition in Government Register"
REGISTER_SHORT_NAME = "FR Register"
DATA_LICENCE = "Open Data Commons Attribution License (ODC-By) 1.0"
DATA_LICENCE_URL = "https://opendatacommons.org/licenses/by/1-0/"
REGISTER_PAGE_SIZE = 50
# How long facet counts, list totals and filter options stay in the cache at
# most. Any change made through the ORM already gives new counts at once
# (registry/counts.py); this bounds a bulk write that skips history. 0: off.
REGISTER_COUNTS_CACHE_SECONDS = int(os.environ.get("REGISTER_COUNTS_CACHE_SECONDS", "600"))
# The same bound for whole public responses (registry/response_cache.py). 0: off.
REGISTER_RESPONSE_CACHE_SECONDS = int(os.environ.get("REGISTER_RESPONSE_CACHE_SECONDS", "600"))

# The read-only JSON API at /api/v1/ (registry/api/). Public data, no
# accounts: no authentication (so no CSRF), JSON only (the browsable API's
# inline script would break the CSP), every page size capped.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{REGISTER_NAME} API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "DESCRIPTION": "Read-only access to every published record of the register. "
    "Field names and parameters are those of the fr-registry/1 data format.",
    "LICENSE": {"name": DATA_LICENCE, "url": DATA_LICENCE_URL},
    # Stable component names for the controlled vocabularies.
    "ENUM_NAME_OVERRIDES": {
        f"{name}Enum": f"registry.choices.{name}"
        for name in (
            "SourceKind",
            "Capability",
            "AgencyKind",
            "Level",
            "DeploymentStatus",
            "Use",
            "ImageSource",
            "AuditorKind",
            "Dimension",
            "Finding",
            "AuditStatus",
            "PolicyKind",
            "PolicyStatus",
            "Requirement",
        )
    },  # fmt: skip
}
# Anyone may read the API from any web page; nothing may be written.
CORS_URLS_REGEX = r"^/api/v1/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "if-modified-since", "if-none-match")
CORS_EXPOSE_HEADERS = ("etag", "last-modified")
# Canonical address of the site, for absolute links in exports and bulk files
# (e.g. https://fr-register.example.org). Required when DEBUG is off: nothing
# the site writes to disk or caches may depend on a request's Host header.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL must be set when DEBUG is off, e.g. SITE_URL=https://register.example.org"
    )
# Where maintainers can be reached; named in the link checker's user agent.
REGISTER_CONTACT_URL = os.environ.get("REGISTER_CONTACT_URL", "")
BULK_DATA_DIR = Path(os.environ.get("BULK_DATA_DIR", BASE_DIR / "var" / "bulk"))

# Public suggestions: spam protection without third-party services.
SUGGESTION_MIN_SECONDS = 3  # a human takes longer to fill the form
SUGGESTION_RATE_LIMIT = 5  # suggestions per address ...
SUGGESTION_RATE_WINDOW = 60 * 60  # ... per hour (use a shared cache with several processes)

# --- Staff accounts, client addresses and personal data (accounts) ------------
# How many reverse proxies in front of the site append to X-Forwarded-For.
# The client address used by rate limits and login lockouts is the entry that
# many places from the right; 0 (the default) ignores the header and uses the
# connection's address, REMOTE_ADDR (registry/clientaddress.py).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Days a suggestion's sender name, email and address hash are kept; then
# `manage.py purge_suggestions` (run it daily) erases them. The text stays.
SUGGESTION_RETENTION_DAYS = int(os.environ.get("SUGGESTION_RETENTION_DAYS", "365"))

# Staff sign-in: lockout after repeated failures (django-axes), two-factor
# codes (django-otp, TOTP; registry/twofactor.py), session limits
# (registry/session_limits.py). Axes keeps its attempts in the database, which
# every process and machine shares.
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp"]
_after_messages = MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1
MIDDLEWARE[_after_messages:_after_messages] = [
    "registry.session_limits.SessionLimitsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "registry.twofactor.StaffTwoFactorMiddleware",
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes requires
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out sign-ins
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Locked after this many wrong passwords for one username from one address ...
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# ... for this many minutes (a superuser can unlock sooner: `manage.py axes_reset`).
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "60")))
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "registry.clientaddress.client_address"
AXES_LOCKOUT_CALLABLE = "registry.twofactor.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # each failure kept (admin: Axes → Access failures)
AXES_VERBOSE = True  # each failure logged at WARNING by the "axes" loggers ...
# ... naming the username and address (never the password)
AXES_SENSITIVE_PARAMETERS: list[str] = []
OTP_TOTP_ISSUER = REGISTER_SHORT_NAME
# Sessions: signed out after SESSION_IDLE_MINUTES without a request, and
# SESSION_HOURS after signing in however active (Django's default is 14 days).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_HOURS", "8")) * 60 * 60
