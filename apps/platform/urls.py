"""Platform pages under /admin/ (before Django admin's own URLs, which would answer 404 for them)."""

from django.contrib import admin
from django.urls import path

from apps.platform import views

urlpatterns = [
    path("stats/", admin.site.admin_view(views.stats_view), name="admin-stats"),
]
