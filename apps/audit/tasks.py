from celery import shared_task

from apps.audit import services


@shared_task(acks_late=True)
def audit_retention_purge_task() -> int:
    return services.audit_retention_purge()
