from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Tijori administration"
admin.site.site_title = "Tijori admin"
admin.site.index_title = "Platform"

urlpatterns = [
    path("", include("apps.core.urls")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.tenants.urls")),
    path("settings/audit/", include("apps.audit.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "apps.core.views.server_error_view"
