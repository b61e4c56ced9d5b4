from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "apps.provisioning"
    label = "provisioning"
    verbose_name = "AWS provisioning"

    def ready(self) -> None:
        from apps.provisioning import checks  # noqa: F401 (registers the system checks)
