from django.apps import AppConfig


class GstConfig(AppConfig):
    name = "apps.gst"
    label = "gst"
    verbose_name = "GST"
