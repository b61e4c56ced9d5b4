"""Settings shared by every environment: Django itself. Everything that varies is read from the environment.

Each integration has its own module, star-imported at the end (HackSoft's layout): `storages` (files
and S3), `celery`, `api` (REST framework, OpenAPI), `security` (login lockout, CSP),
`provisioning` (tenant infrastructure on AWS) and `billing` (AMC payments, the platform's GST identity).
`local`, `test` and `production` override any of them.
"""

from config.env import BASE_DIR, NUM_PROXIES, REDIS_URL, VAR_DIR, database_url, env  # noqa: F401 - settings

SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("TIJORI_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for the FORM_RENDERER below
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "storages",
    "csp",
    "apps.core",
    "apps.accounts",
    "apps.tenants",
    "apps.audit",
    "apps.gst",
    "apps.inventory",
    "apps.invoicing",
    "apps.reports",
    "apps.billing",
    "apps.provisioning",
    "apps.demo",
    "apps.platform",
]

MIDDLEWARE = [
    "apps.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.tenants.access.middleware.ActiveTenantMiddleware",
    "apps.core.db.replica.ReadReplicaMiddleware",
    # Axes last, as its documentation asks, so it sees the final authentication result.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "apps.tenants.access.context_processors.tenancy",
                "apps.core.context_processors.site",
            ],
        },
    }
]

# Widgets render through the project's engine, so templates/django/forms/ can replace Django's own: the
# select there writes its options, and attrs.html and input.html their attributes, in Python (tags in
# apps/core/templatetags/fields.py) instead of template loops and includes (a select of the 38 states:
# 1.15 ms with Django's, 0.40 ms so).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database ----------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db_url_config(database_url("DATABASE") or f"sqlite:///{VAR_DIR / 'tijori.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serves one writer at a time: WAL lets the web server read while the worker writes,
    # and the busy timeout makes a writer wait instead of failing at once.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Keeps each connection's row-level-security setting in line with the code's tenant (apps.core.rls).
    DATABASES["default"]["ENGINE"] = "apps.core.db.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
# PostgreSQL with separate roles (`manage.py db_roles`): DATABASE_URL names the app role, which owns
# nothing; DATABASE_OWNER_URL the owner role that runs migrations (`migrate` uses it by itself).
DATABASE_OWNER_URL = database_url("DATABASE_OWNER")
if DATABASE_OWNER_URL:
    DATABASES["owner"] = {
        **env.db_url_config(DATABASE_OWNER_URL),
        "OPTIONS": {"connect_timeout": 5},
        "CONN_MAX_AGE": 0,
        # In tests the owner works on the test database, never on the real one.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_APP_ROLE = DATABASES["default"].get("USER", "") if DATABASE_OWNER_URL else ""
# The role platform-wide work switches to inside rls_bypass(); BYPASSRLS, and the app role's only way past
# the tenant policies.
DATABASE_PLATFORM_ROLE = env(
    "DATABASE_PLATFORM_ROLE", default="tijori_platform" if DATABASE_OWNER_URL else ""
)
# A streaming replica (apps.core.db.replica): DATABASE_READ_URL, or DATABASE_READ_HOST for the same
# login on another host. Only the views named here read from it (reports, registers, exports); every
# other read, every write and every transaction stays on the primary.
DATABASE_READ_URL = env("DATABASE_READ_URL", default="")
DATABASE_READ_HOST = env("DATABASE_READ_HOST", default="")
if DATABASES["default"]["ENGINE"] == "apps.core.db.postgresql" and (DATABASE_READ_URL or DATABASE_READ_HOST):
    _read = env.db_url_config(DATABASE_READ_URL) if DATABASE_READ_URL else dict(DATABASES["default"])
    DATABASES["replica"] = {
        **_read,
        **({} if DATABASE_READ_URL else {"HOST": DATABASE_READ_HOST}),
        "ENGINE": "apps.core.db.postgresql",
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"connect_timeout": 5},
        # In tests the replica reads the test database (which streams to it like any other).
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["apps.core.db.replica.ReadReplicaRouter"]
DATABASE_READ_VIEWS = [
    "inventory:stock_export", "audit:list", "admin-stats",
    # The registers, pages and API: sums over a whole range of documents.
    *(f"reports:register_{code}" for code in ("sales", "hsn", "payments", "old_gold", "stock")),
    *(f"api:register-{path}" for path in ("sales", "hsn-summary", "payments", "old-gold", "stock-movement")),
]  # fmt: skip
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -------------------------------------------------------------------------------------
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tijori",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # Sessions read from Redis, written through to the database (they survive a Redis restart).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # A database cache is shared by every process (web, worker), unlike a per-process memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tijori_cache",
            "KEY_PREFIX": "tijori",
        }
    }

# --- Auth --------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "tenants:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# Password-reset and signup e-mails one client address, and one mailbox, can cause (beyond them the
# page answers the same and sends nothing).
ACCOUNT_EMAIL_RATE_PER_ADDRESS = env("ACCOUNT_EMAIL_RATE_PER_ADDRESS", default="10/hour")
ACCOUNT_EMAIL_RATE_PER_EMAIL = env("ACCOUNT_EMAIL_RATE_PER_EMAIL", default="3/hour")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-in"
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

LOGO_MAX_BYTES = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))  # for the filebased backend
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Tijori <no-reply@tijori.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Product rules -----------------------------------------------------------------------------
AUDIT_RETENTION_DAYS = 7 * 365 + 2  # seven years, leap days included
# Uploaded stock CSV files (a shop's whole stock list) are deleted this long after upload; the records stay.
STOCK_IMPORT_FILE_DAYS = env.int("STOCK_IMPORT_FILE_DAYS", default=30)
# Exported files (GST returns, registers) are removed this long after they are built; the records stay.
# Keep it equal to the exports bucket's S3 lifecycle expiry.
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)
INVITATION_MAX_AGE_DAYS = 7

# --- e-Invoices: the IRP, through a GSP's API (apps.gst.irp) -------------------------------------
# With IRP_BASE_URL empty (the default) there is no IRP connection: shops download the bulk JSON, upload
# it on the portal and import the IRP's answer file. Set, documents are registered and cancelled from
# their page through the GSP at this URL (e.g. https://gsp.example.in/ei/api), with these credentials.
IRP_BASE_URL = env("IRP_BASE_URL", default="")
IRP_USERNAME = env("IRP_USERNAME", default="")  # the taxpayer's IRP API user
IRP_PASSWORD = env("IRP_PASSWORD", default="")
# The GSTIN the IRP login belongs to; a shop with another GSTIN is not connected. Empty: any shop's GSTIN.
IRP_GSTIN = env("IRP_GSTIN", default="")
IRP_CLIENT_ID = env("IRP_CLIENT_ID", default="")  # the GSP's client id and secret
IRP_CLIENT_SECRET = env("IRP_CLIENT_SECRET", default="")

# --- Logging -----------------------------------------------------------------------------------
LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
LOG_FORMAT = env("TIJORI_LOG_FORMAT", default="text")  # "json" in production
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "apps.core.logging.RequestContextFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s t=%(tenant_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(tenant_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # it logs every step of every PDF at INFO
        "fontTools": {"level": "WARNING"},
    },
}

# --- Integrations, one module each ----------------------------------------------------------------
from config.settings.api import *  # noqa: E402
from config.settings.billing import *  # noqa: E402
from config.settings.celery import *  # noqa: E402
from config.settings.provisioning import *  # noqa: E402
from config.settings.security import *  # noqa: E402
from config.settings.storages import *  # noqa: E402
