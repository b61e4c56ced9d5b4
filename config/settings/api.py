"""The REST API (Django REST framework) and its OpenAPI schema (drf-spectacular)."""

from config.env import NUM_PROXIES, env

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
    # 0, not None: with None DRF would key its throttles on the whole, client-written X-Forwarded-For.
    "NUM_PROXIES": NUM_PROXIES,
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
        "InvoiceStatusEnum": "apps.invoicing.models.Invoice.Status",
        "CustomerKindEnum": "apps.invoicing.models.Customer.Kind",
        "InvoiceLineKindEnum": "apps.invoicing.models.InvoiceLine.Kind",
        "DocumentKindEnum": "apps.invoicing.models.Invoice.Kind",
        "NoteReasonEnum": "apps.invoicing.models.NoteReason",
        "PaymentModeEnum": "apps.invoicing.models.Payment.Mode",
        "MoneyModeEnum": "apps.invoicing.models.MoneyMode",
        "StateCodeEnum": "apps.gst.states.STATE_CHOICES",
    },
}
