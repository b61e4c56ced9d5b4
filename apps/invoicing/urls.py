from django.urls import path

from apps.invoicing import views
from apps.invoicing.models import Invoice

app_name = "invoicing"
CREDIT, DEBIT = Invoice.Kind.CREDIT_NOTE.value, Invoice.Kind.DEBIT_NOTE.value

urlpatterns = [
    path("sales/", views.invoice_list_view, name="invoice_list"),
    path("sales/new/", views.invoice_new_view, name="invoice_new"),
    path("sales/e-invoices/", views.einvoice_list_view, name="einvoice_list"),
    path("sales/e-invoices/bulk.json", views.einvoice_bulk_view, name="einvoice_bulk"),
    path("sales/e-invoices/import/", views.einvoice_import_view, name="einvoice_import"),
    path("sales/<int:invoice_id>/", views.invoice_detail_view, name="invoice_detail"),
    path("sales/<int:invoice_id>/scan/", views.invoice_scan_view, name="invoice_scan"),
    path("sales/<int:invoice_id>/free-line/", views.invoice_free_line_view, name="invoice_free_line"),
    path("sales/<int:invoice_id>/lines/<int:line_id>/", views.invoice_line_view, name="invoice_line"),
    path("sales/<int:invoice_id>/buyer/", views.invoice_buyer_view, name="invoice_buyer"),
    path("sales/<int:invoice_id>/buyer/new/", views.invoice_buyer_new_view, name="invoice_buyer_new"),
    path("sales/<int:invoice_id>/issue/", views.invoice_issue_view, name="invoice_issue"),
    path("sales/<int:invoice_id>/discard/", views.invoice_discard_view, name="invoice_discard"),
    path("sales/<int:invoice_id>/pay/", views.invoice_pay_view, name="invoice_pay"),
    path("sales/<int:invoice_id>/old-gold/", views.invoice_old_gold_view, name="invoice_old_gold"),
    path("sales/<int:invoice_id>/advance/", views.invoice_advance_view, name="invoice_advance"),
    path("sales/<int:invoice_id>/cancel/", views.invoice_cancel_view, name="invoice_cancel"),
    path(
        "sales/<int:invoice_id>/credit-note/", views.note_new_view, {"kind": CREDIT}, name="credit_note_new"
    ),
    path("sales/<int:invoice_id>/debit-note/", views.note_new_view, {"kind": DEBIT}, name="debit_note_new"),
    path("sales/<int:invoice_id>/note-lines/", views.note_line_view, name="note_line"),
    path("sales/<int:invoice_id>/note-issue/", views.note_issue_view, name="note_issue"),
    path("sales/<int:invoice_id>/print/", views.invoice_print_view, name="invoice_print"),
    path("sales/<int:invoice_id>/pdf/", views.invoice_pdf_view, name="invoice_pdf"),
    path("sales/<int:invoice_id>/email/", views.invoice_email_view, name="invoice_email"),
    path(
        "sales/<int:invoice_id>/e-invoice.json",
        views.invoice_einvoice_json_view,
        name="invoice_einvoice_json",
    ),
    path(
        "sales/<int:invoice_id>/e-invoice/generate/",
        views.invoice_einvoice_generate_view,
        name="invoice_einvoice_generate",
    ),
    path(
        "sales/<int:invoice_id>/e-invoice/cancel/",
        views.invoice_einvoice_cancel_view,
        name="invoice_einvoice_cancel",
    ),
    path("bills/<str:token>/", views.bill_shared_view, name="bill_shared"),
    path("customers/", views.customer_list_view, name="customer_list"),
    path("customers/new/", views.customer_form_view, name="customer_new"),
    path("customers/<int:customer_id>/", views.customer_detail_view, name="customer_detail"),
    path("customers/<int:customer_id>/edit/", views.customer_form_view, name="customer_edit"),
    path("customers/<int:customer_id>/advance/", views.customer_advance_view, name="customer_advance"),
    path("advances/<int:voucher_id>/", views.receipt_voucher_detail_view, name="receipt_voucher_detail"),
    path("advances/<int:voucher_id>/print/", views.receipt_voucher_print_view, name="receipt_voucher_print"),
]
