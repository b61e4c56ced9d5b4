from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from celery import signals

        from apps.core import checks, rls  # noqa: F401 - importing checks registers them
        from apps.core.validators import text_validators_install

        # No text input of any form or serializer takes control characters.
        text_validators_install()
        # Once per migrate, after every app's migrations: the policies cover tables added by any app.
        post_migrate.connect(rls.post_migrate_secure, sender=self, dispatch_uid="core.rls.secure")
        # A task acts for the tenant it was sent for; beat jobs are platform-wide.
        signals.before_task_publish.connect(rls.task_publish_add_tenant, dispatch_uid="core.rls.publish")
        signals.task_prerun.connect(rls.task_prerun_set_scope, dispatch_uid="core.rls.prerun")
        signals.task_postrun.connect(rls.task_postrun_reset_scope, dispatch_uid="core.rls.postrun")
