from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "apps.tenants"
    label = "tenants"

    def ready(self) -> None:
        from apps.tenants.access import authentication  # noqa: F401 - registers the OpenAPI security scheme
