"""Every write of reports: exports asked for, built, handed out and expired."""

from apps.reports.services.asking import export_download, export_link, export_request, exports_on_local_disk
from apps.reports.services.building import export_build, export_give_up
from apps.reports.services.housekeeping import exports_expired_remove, exports_reap

__all__ = [
    "export_build",
    "export_download",
    "export_give_up",
    "export_link",
    "export_request",
    "exports_expired_remove",
    "exports_on_local_disk",
    "exports_reap",
]
