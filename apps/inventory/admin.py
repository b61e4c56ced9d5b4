from django.contrib import admin

from apps.inventory.models import Purity, StockItem


@admin.register(Purity)
class PurityAdmin(admin.ModelAdmin):
    """The purity table is platform data: super admins add grades or retire them here."""

    list_display = ["label", "metal", "karat", "fineness", "is_active"]
    list_filter = ["metal", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["karat", "fineness"]


@admin.register(StockItem)
class StockItemAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False  # stock changes go through the shop's pages and API, which validate and audit

    def has_delete_permission(self, request, obj=None):
        return False
