from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.reports"
    verbose_name = "Reports and returns"

    def ready(self) -> None:
        # Each writers module registers its export kinds with apps.reports.kinds when imported.
        from apps.reports.writers import einvoice, gstr1, registers  # noqa: F401
