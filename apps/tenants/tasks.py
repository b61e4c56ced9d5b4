from celery import shared_task

from apps.tenants import services
from apps.tenants.models import Invitation


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_send_task(invitation_id: int) -> bool:
    invitation = Invitation.objects.select_related("tenant").filter(pk=invitation_id).first()
    if invitation is None:
        return False
    return services.invitation_send(invitation=invitation)
