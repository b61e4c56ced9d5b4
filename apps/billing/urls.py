from django.urls import path

from apps.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.contract_view, name="contract"),
    path("renew", views.renew_view, name="renew"),
    path("orders/<int:order_id>/checkout", views.checkout_view, name="checkout"),
    path("orders/<int:order_id>/return", views.checkout_return_view, name="checkout_return"),
    path("invoices/<int:invoice_id>/pdf", views.platform_invoice_pdf_view, name="invoice_pdf"),
]
