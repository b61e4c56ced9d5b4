from django.urls import path

from apps.core import views

app_name = "core"

urlpatterns = [
    path("api/health", views.health_view, name="health"),
    path("api/health/live", views.health_live_view, name="health_live"),
    path("api/health/<str:component>", views.health_view, name="health_component"),
    path("files/<str:token>", views.private_file_view, name="private_file"),
    path("media/public/<path:path>", views.public_media_view, name="public_media"),
]
