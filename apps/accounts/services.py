"""Signing up and changing one's own account."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import User
from apps.audit.services import audit_record
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create


def _user_new(*, email: str, full_name: str, password: str) -> User:
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": ["An account with this e-mail address already exists. Sign in instead."]}
        )
    user = User(email=email, full_name=full_name.strip())
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from None
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def user_signup(
    *,
    email: str,
    full_name: str,
    password: str,
    tenant_kind: str,
    tenant_name: str,
    state_code: str = "",
    gstin: str = "",
) -> tuple[User, Tenant]:
    """Create a user and their first tenant (a shop or a personal workspace), owned by them."""
    user = _user_new(email=email, full_name=full_name, password=password)
    tenant = tenant_create(owner=user, kind=tenant_kind, name=tenant_name, state_code=state_code, gstin=gstin)
    audit_record(
        tenant=tenant, actor=user, action="account.signup", target=user, summary=f"{user.email} signed up"
    )
    return user, tenant


@transaction.atomic
def user_signup_invited(*, email: str, full_name: str, password: str) -> User:
    """Create the account of someone who arrives through an invitation (no tenant of their own yet)."""
    return _user_new(email=email, full_name=full_name, password=password)


@transaction.atomic
def user_update(*, user: User, full_name: str) -> User:
    user.full_name = full_name.strip()
    user.full_clean()
    user.save(update_fields=["full_name"])
    return user
