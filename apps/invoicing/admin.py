"""Invoices are legal records: super admins look at them here, and only the shop's services write them."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin, ReadOnlyInline
from apps.invoicing.models import Customer, DocumentSeries, EInvoice, Invoice, InvoiceLine


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "gstin", "state_code", "phone", "tenant", "created_at"]
    list_filter = ["kind", "state_code"]
    search_fields = ["name", "trade_name", "gstin", "phone", "tenant__name"]
    list_select_related = ["tenant"]


@admin.register(DocumentSeries)
class DocumentSeriesAdmin(ReadOnlyAdmin):
    list_display = ["code", "doc_type", "fy_start_year", "gstin", "number_format", "next_number", "tenant"]
    list_filter = ["doc_type", "fy_start_year"]
    search_fields = ["code", "gstin", "tenant__name"]
    list_select_related = ["tenant"]


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = [
        "position",
        "description",
        "hsn_code",
        "huid",
        "net_weight",
        "taxable_value",
        "cgst",
        "sgst",
        "igst",
    ]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "doc_type", "status", "issued_on", "buyer_name", "grand_total", "tenant"]
    list_filter = ["doc_type", "status", "issued_on"]
    search_fields = ["number", "buyer_name", "buyer_gstin", "tenant__name"]
    list_select_related = ["tenant"]
    inlines = [InvoiceLineInline]


@admin.register(EInvoice)
class EInvoiceAdmin(ReadOnlyAdmin):
    list_display = ["irn", "document", "ack_no", "ack_at", "status", "tenant"]
    list_filter = ["status", "ack_at"]
    search_fields = ["irn", "ack_no", "document__number", "tenant__name"]
    list_select_related = ["tenant", "document"]
