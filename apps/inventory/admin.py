from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin
from apps.inventory.models import Certificate, HallmarkBatch, MetalRate, Purity, StockImport, StockItem


@admin.register(Purity)
class PurityAdmin(admin.ModelAdmin):
    """The purity table is platform data: super admins add grades or retire them here."""

    list_display = ["label", "metal", "karat", "fineness", "is_active"]
    list_filter = ["metal", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["karat", "fineness"]


@admin.register(StockItem)
class StockItemAdmin(ReadOnlyAdmin):
    """Stock changes go through the shop's pages and API, which validate and audit."""

    list_display = [
        "sku",
        "name",
        "tenant",
        "purity",
        "net_weight",
        "huid",
        "hallmark_status",
        "stock_status",
    ]
    list_filter = ["hallmark_status", "stock_status", "purity__metal", "category"]
    search_fields = ["sku", "huid", "name", "tenant__name"]
    list_select_related = ["tenant", "purity"]
    readonly_fields = [f.name for f in StockItem._meta.fields]


@admin.register(MetalRate)
class MetalRateAdmin(ReadOnlyAdmin):
    list_display = ["effective_on", "tenant", "purity", "rate_per_gram", "recorded_by"]
    list_filter = ["purity", "effective_on"]
    search_fields = ["tenant__name"]
    list_select_related = ["tenant", "purity", "recorded_by"]
    date_hierarchy = "effective_on"
    readonly_fields = [f.name for f in MetalRate._meta.fields]


@admin.register(HallmarkBatch)
class HallmarkBatchAdmin(ReadOnlyAdmin):
    list_display = ["request_number", "tenant", "centre_name", "status", "sent_on", "received_on"]
    list_filter = ["status", "sent_on"]
    search_fields = ["request_number", "centre_name", "tenant__name"]
    list_select_related = ["tenant"]
    readonly_fields = [f.name for f in HallmarkBatch._meta.fields]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "kind", "tenant", "content_type", "size", "created_at"]
    list_filter = ["kind", "content_type"]
    search_fields = ["original_name", "tenant__name"]
    list_select_related = ["tenant"]
    readonly_fields = [f.name for f in Certificate._meta.fields]


@admin.register(StockImport)
class StockImportAdmin(ReadOnlyAdmin):
    """Shops' stock files as checked and imported; read-only, since an import runs through its service."""

    list_display = [
        "original_name", "tenant", "status", "rows_total", "rows_good", "rows_imported", "error_count",
        "created_at", "imported_at",
    ]  # fmt: skip
    list_filter = ["status", "good_rows_only", "created_at"]
    search_fields = ["original_name", "tenant__name"]
    list_select_related = ["tenant"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in StockImport._meta.fields]
