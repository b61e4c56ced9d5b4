from apps.accounts.models import User
from apps.accounts.normalise import email_normalise


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email_normalise(email)).first()


def user_exists(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email_normalise(email)).exists()
