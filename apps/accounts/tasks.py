from celery import shared_task

from apps.accounts import services
from apps.accounts.models import User


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def signup_email_send_task(user_id: int, *, existing: bool) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    services.signup_email_send(user=user, existing=existing)
    return True
