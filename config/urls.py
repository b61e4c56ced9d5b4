from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularJSONAPIView

from apps.core.views import api_docs_view

admin.site.site_header = "Tijori administration"
admin.site.site_title = "Tijori admin"
admin.site.index_title = "Platform"
admin.site.index_template = "platform/admin_index.html"  # links the platform dashboard (/admin/stats/)

urlpatterns = [
    path("", include("apps.core.urls")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.tenants.urls")),
    path("settings/audit/", include("apps.audit.urls")),
    path("settings/billing/", include("apps.billing.urls")),
    # Razorpay's webhook (its own authentication: the signature) and, locally, the stand-in's checkout.
    path("billing/", include("apps.billing.gateway_urls")),
    path("stock/", include("apps.inventory.urls")),
    path("projects/", include("apps.provisioning.urls")),
    path("", include("apps.invoicing.urls")),
    path("reports/", include("apps.reports.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi-json"),
    path("api/docs/", api_docs_view, name="api-docs"),
    # Where integrators guess the docs are.
    re_path(r"^api-docs/?$", RedirectView.as_view(pattern_name="api-docs", permanent=False)),
    path("admin/", include("apps.platform.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "apps.core.views.not_found_view"
handler500 = "apps.core.views.server_error_view"
