from django.urls import path

from apps.inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.stock_list_view, name="stock_list"),
    path("new/", views.stock_create_view, name="stock_create"),
    path("export.csv", views.stock_export_view, name="stock_export"),
    path("<int:item_id>/", views.stock_detail_view, name="stock_detail"),
    path("<int:item_id>/edit/", views.stock_edit_view, name="stock_edit"),
    path("<int:item_id>/delete/", views.stock_delete_view, name="stock_delete"),
    path("<int:item_id>/certificates/", views.stock_certificate_view, name="stock_certificate"),
    path("certificates/<int:certificate_id>/", views.certificate_download_view, name="certificate_download"),
    path("batches/", views.batch_list_view, name="batch_list"),
    path("batches/new/", views.batch_create_view, name="batch_create"),
    path("batches/<int:batch_id>/", views.batch_detail_view, name="batch_detail"),
    path("batches/<int:batch_id>/receive/", views.batch_receive_view, name="batch_receive"),
    path("batches/<int:batch_id>/report/", views.batch_report_view, name="batch_report"),
    path("rates/", views.rates_view, name="rates"),
    path("compliance/", views.compliance_view, name="compliance"),
    path("compliance/registration/", views.bis_registration_view, name="bis_registration"),
    path("import/", views.import_view, name="import"),
    path("import/template.csv", views.import_template_view, name="import_template"),
    path("import/<int:import_id>/", views.import_detail_view, name="import_detail"),
]
