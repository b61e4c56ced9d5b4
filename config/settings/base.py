"""Settings shared by every environment. Everything that varies is read from the environment."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")
VAR_DIR = Path(env("TIJORI_VAR_DIR", default=str(BASE_DIR / "var")))

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
    "apps.provisioning",
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

# --- Database ----------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tijori.sqlite3'}")}
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
DATABASE_OWNER_URL = env("DATABASE_OWNER_URL", default="")
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
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

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Either the account or the address is locked once it reaches the limit.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Count failures by the address as stored, so a change of letter case is the same account.
AXES_USERNAME_CALLABLE = "apps.accounts.normalise.axes_username"
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

# --- Static and media files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="ap-south-1")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
PRIVATE_FILE_URL_EXPIRY_SECONDS = env.int("PRIVATE_FILE_URL_EXPIRY_SECONDS", default=300)


def _storage(alias: str, *, public: bool = False, **s3_options) -> dict:
    """Local files under var/media/<alias> unless S3_BUCKET_<ALIAS> names a bucket."""
    bucket = env(f"S3_BUCKET_{alias.upper()}", default="")
    if bucket:
        options = {
            "bucket_name": bucket,
            "region_name": AWS_S3_REGION_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "signature_version": "s3v4",
            "addressing_style": "path" if AWS_S3_ENDPOINT_URL else "auto",
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": not public,
            "querystring_expire": PRIVATE_FILE_URL_EXPIRY_SECONDS,
            **s3_options,
        }
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    options = {"location": str(MEDIA_ROOT / alias)}
    if public:
        options["base_url"] = f"{MEDIA_URL}{alias}/"
    return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": options}


STORAGES = {
    "default": _storage("default"),
    "public": _storage("public", public=True),
    "certificates": _storage("certificates"),
    "invoices": _storage("invoices"),
    "exports": _storage("exports"),
    "backups": _storage("backups"),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
PRIVATE_STORAGE_ALIASES = ["default", "certificates", "invoices", "exports", "backups"]
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

# --- Celery ------------------------------------------------------------------------------------
CELERY_DATA_DIR = VAR_DIR / "celery"
# Embedded default: kombu's SQLAlchemy transport on an SQLite file, safe with several processes (the
# filesystem transport raced: a worker read a half-written message file and died). It has no
# visibility timeout, so a task lost with its worker is sent again by the reapers, not the broker.
CELERY_BROKER_URL = env(
    "CELERY_BROKER_URL",
    default=REDIS_URL or f"sqla+sqlite:///{(CELERY_DATA_DIR / 'broker.sqlite3').resolve()}",
)
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("sqla+"):
    # These go to SQLAlchemy's create_engine: wait for another process's write instead of failing.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 30}}
elif CELERY_BROKER_URL.startswith("redis"):
    # Above every task's hard time limit, so a long task is never handed to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60 * 2}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=15 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=20 * 60)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("aws"), Queue("reports"))
CELERY_TASK_ROUTES = {
    "apps.provisioning.tasks.*": {"queue": "aws"},
    "apps.*.tasks.*_report_task": {"queue": "reports"},
    "apps.*.tasks.*_export_task": {"queue": "reports"},
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE = {
    "idempotency-keys-purge": {
        "task": "apps.core.tasks.idempotency_keys_purge_task",
        "schedule": crontab(minute=7),
    },
    "audit-retention-purge": {
        "task": "apps.audit.tasks.audit_retention_purge_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "stock-import-files-purge": {
        "task": "apps.inventory.tasks.stock_import_files_purge_task",
        "schedule": crontab(hour=3, minute=10),
    },
    "projects-expire": {"task": "apps.provisioning.tasks.projects_expire_task", "schedule": 60.0},
    "operations-reap": {"task": "apps.provisioning.tasks.operations_reap_task", "schedule": 60.0},
    "orphans-sweep": {
        "task": "apps.provisioning.tasks.orphans_sweep_task",
        "schedule": crontab(minute="*/15"),
    },
}
if CELERY_BROKER_URL.startswith("sqla+"):
    # The SQLAlchemy transport keeps every delivered message as a row; delete them.
    CELERY_BEAT_SCHEDULE["broker-delivered-purge"] = {
        "task": "apps.core.tasks.broker_delivered_purge_task",
        "schedule": crontab(minute="*/10"),
    }
if env.bool("TIJORI_BEAT_EVERY_MINUTE", default=False):
    # Soak tests: every beat job due each minute, so a short run sees them all fire together.
    for _entry in CELERY_BEAT_SCHEDULE.values():
        _entry["schedule"] = crontab()
# Extra task modules the worker loads, e.g. tests.soak.tasks for the soak test. Default: none.
CELERY_IMPORTS = env.list("CELERY_IMPORTS", default=[])
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.tenants.access.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.tenants.access.permissions.TenantRolePermission"],
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.core.api.throttling.TenantRateThrottle",
        "apps.core.api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "tenant": env("API_THROTTLE_TENANT", default="1200/min"),
        "anon": env("API_THROTTLE_ANON", default="60/min"),
        "expensive": env("API_THROTTLE_EXPENSIVE", default="20/hour"),
    },
    "NUM_PROXIES": None,  # set below from NUM_PROXIES
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.parsers.JSONParser",  # 400, not 500, for JSON nested too deeply
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "apps.core.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tijori API",
    "DESCRIPTION": (
        "The REST API of Tijori for integrations: a shop's accounting tool, a storefront, a script. "
        "Authenticate with a per-workspace API key (`Authorization: Bearer tj_…`, made in Settings → "
        "API keys); a key acts as its workspace with its role. Every error answers JSON "
        "`{code, message, fields}`. Lists are paginated (`page`, `page_size` up to 200). POST requests "
        "accept an `Idempotency-Key` header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api.schema.schema_add_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "apps.tenants.models.Role",
        "InvitationStatusEnum": "apps.tenants.models.Invitation.Status",
        "ApiKeyStatusEnum": "apps.tenants.models.ApiKey.Status",
        "HallmarkBatchStatusEnum": "apps.inventory.models.HallmarkBatch.Status",
        "CertificateKindEnum": "apps.inventory.models.Certificate.Kind",
    },
}

# --- Content-Security-Policy -------------------------------------------------------------------
# Every page runs only our own scripts and styles, from static files: no inline script, style or
# handler, so markup that slips into a page runs nothing. Logos may come from the public bucket.
# The API docs and the 500 page widen or set their own policy, with the reason next to them; stored
# files are served with `sandbox` instead (apps.core.files).
_PUBLIC_FILES_ORIGIN = (
    [AWS_S3_ENDPOINT_URL or "https://*.amazonaws.com"] if env("S3_BUCKET_PUBLIC", default="") else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", *_PUBLIC_FILES_ORIGIN],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Product rules -----------------------------------------------------------------------------
AUDIT_RETENTION_DAYS = 7 * 365 + 2  # seven years, leap days included
# Uploaded stock CSV files (a shop's whole stock list) are deleted this long after upload; the records stay.
STOCK_IMPORT_FILE_DAYS = env.int("STOCK_IMPORT_FILE_DAYS", default=30)
INVITATION_MAX_AGE_DAYS = 7
AWS_ENDPOINT_URL = env("AWS_ENDPOINT_URL", default="")

# --- Tenant infrastructure on AWS (apps.provisioning) --------------------------------------------
# The platform role workers assume with STS, and the ExternalId its trust policy requires.
AWS_ROLE_ARN = env("AWS_ROLE_ARN", default="arn:aws:iam::000000000000:role/TijoriProvisioner")
AWS_EXTERNAL_ID = env("AWS_EXTERNAL_ID", default="tijori-local")
# Regions a project may be placed in; the first is the default.
AWS_ALLOWED_REGIONS = env.list("AWS_ALLOWED_REGIONS", default=["ap-south-1", "us-east-1"])
# "Environment" tag and resource-name prefix: keeps stacks of two installations apart.
TIJORI_ENVIRONMENT = env("TIJORI_ENVIRONMENT", default="local")
# A deployed stack is destroyed this long after it is deployed, unless extended up to the maximum.
RESOURCE_TIMEOUT_MINUTES = env.int("RESOURCE_TIMEOUT_MINUTES", default=60)
RESOURCE_MAX_LIFETIME_MINUTES = env.int("RESOURCE_MAX_LIFETIME_MINUTES", default=8 * 60)
# A running operation renews its lease at every step; a lease run out means its worker is gone.
PROVISIONING_LEASE_SECONDS = env.int("PROVISIONING_LEASE_SECONDS", default=120)
# Quotas per tenant, checked before any AWS call (a super admin overrides them per tenant in admin).
PROVISIONING_MAX_PROJECTS = env.int("PROVISIONING_MAX_PROJECTS", default=10)
PROVISIONING_MAX_PROJECT_USD_MONTH = Decimal(env("PROVISIONING_MAX_PROJECT_USD_MONTH", default="50"))
PROVISIONING_MAX_TENANT_USD_MONTH = Decimal(env("PROVISIONING_MAX_TENANT_USD_MONTH", default="100"))

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
    },
}

# Proxies in front of the web process that append to X-Forwarded-For (1 behind a load balancer).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "apps.core.context.request_client_ip"
# 0, not None: with None DRF would key its throttles on the whole, client-written X-Forwarded-For.
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES
