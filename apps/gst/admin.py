from django.contrib import admin

from apps.gst.models import GstRate


@admin.register(GstRate)
class GstRateAdmin(admin.ModelAdmin):
    """A new rate is a new row from its start date; a saved row keeps its rate, so past invoices agree."""

    list_display = ["code", "rate", "unregistered_rate", "effective_from", "description"]
    list_filter = ["rate", "effective_from"]
    search_fields = ["code", "description"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "rate", "unregistered_rate", "effective_from"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False
