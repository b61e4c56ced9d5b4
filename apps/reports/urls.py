from django.urls import path

from apps.reports.registers import REGISTERS
from apps.reports.views import exports, registers

app_name = "reports"

urlpatterns: list = [
    path("", exports.export_list_view, name="export_list"),
    path("exports/new/", exports.export_request_view, name="export_request"),
    path("exports/<int:export_id>/", exports.export_detail_view, name="export_detail"),
    path("exports/<int:export_id>/download/", exports.export_download_view, name="export_download"),
    path("registers/", registers.register_index_view, name="register_index"),
    # One address per register (/reports/registers/sales/, …), each a name of its own: reports:register_sales.
    *[
        path(f"registers/{r.slug}/", registers.register_view, {"code": r.code}, name=f"register_{r.code}")
        for r in REGISTERS.values()
    ],
]
