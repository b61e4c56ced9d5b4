"""Onboarding and one's own account: signing up (with a first workspace), joining through an
invitation (with a new account or an existing one), and changing one's details.

The pages of these flows are in `apps.accounts.views`; membership rules stay in `apps.tenants.services`.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from apps.accounts import tasks
from apps.accounts.models import User
from apps.accounts.normalise import email_normalise
from apps.accounts.selectors import user_get_by_email
from apps.audit.services import audit_record
from apps.core.pages import site_link
from apps.core.rls import tenant_scope
from apps.core.services import model_update
from apps.tenants.models import Invitation, Membership, Tenant
from apps.tenants.services import invitation_accept, tenant_build, tenant_create

ACCOUNT_EXISTS = "An account with this e-mail address already exists. Sign in instead."


def _user_build(*, email: str, full_name: str, password: str) -> User:
    """A new, unsaved user whose password passes the validators (uniqueness is the caller's business)."""
    user = User(email=email_normalise(email), full_name=full_name.strip())
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from None
    user.set_password(password)
    user.full_clean(validate_unique=False, validate_constraints=False)
    return user


# The signup form names the tenant's fields after what they are for; the model names them plainly.
SIGNUP_TENANT_FIELDS = {"kind": "tenant_kind", "name": "tenant_name"}


def user_signup_check(
    *,
    email: str,
    full_name: str,
    password: str,
    tenant_kind: str,
    tenant_name: str,
    state_code: str = "",
    gstin: str = "",
) -> User:
    """Every check of a signup at once (account and tenant), so a form shows all its errors together.

    Returns the account, built and unsaved; raises one ValidationError keyed by the signup form's fields.
    """
    errors: dict[str, list[str]] = {}
    user = None
    try:
        user = _user_build(email=email, full_name=full_name, password=password)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        tenant_build(kind=tenant_kind, name=tenant_name, state_code=state_code, gstin=gstin)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(SIGNUP_TENANT_FIELDS.get(field, field), []).extend(messages)
    if errors:
        raise ValidationError(errors)
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
    send_email: bool = True,
) -> tuple[User, Tenant] | None:
    """Create a user and their first tenant (a shop or a personal workspace), owned by them.

    An address that already has an account is checked the same way and gets the same answer from the
    page, so signup never tells a stranger who has an account: nothing is created, the account's
    holder is told by e-mail that someone tried, and None is returned. `send_email` False (too many
    account e-mails lately) sends neither e-mail but changes nothing else.
    """
    existing = user_get_by_email(email=email)
    user = user_signup_check(
        email=email,
        full_name=full_name,
        password=password,
        tenant_kind=tenant_kind,
        tenant_name=tenant_name,
        state_code=state_code,
        gstin=gstin,
    )
    if existing is None:
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same address signed up a moment ago
            existing = user_get_by_email(email=email)
    if existing is not None:
        if send_email:
            transaction.on_commit(lambda: tasks.signup_email_send_task.delay(existing.pk, existing=True))
        return None
    tenant = tenant_create(owner=user, kind=tenant_kind, name=tenant_name, state_code=state_code, gstin=gstin)
    with tenant_scope(tenant.pk):
        audit_record(
            tenant=tenant, actor=user, action="account.signup", target=user, summary=f"{user.email} signed up"
        )
    if send_email:
        transaction.on_commit(lambda: tasks.signup_email_send_task.delay(user.pk, existing=False))
    return user, tenant


def signup_email_send(*, user: User, existing: bool) -> None:
    """Welcome a new account, or tell an existing one that someone tried to sign up with its address."""
    context = {
        "user": user,
        "login_link": site_link("accounts:login"),
        "reset_link": site_link("accounts:password_reset"),
    }
    if existing:
        subject = "Someone tried to sign up to Tijori with your address"
        template = "accounts/email/signup_existing.txt"
    else:
        subject = "Your Tijori account is ready"
        template = "accounts/email/signup_welcome.txt"
    send_mail(
        subject=subject,
        message=render_to_string(template, context),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def invitation_accept_as_new_user(*, invitation: Invitation, full_name: str, password: str) -> Membership:
    """Create the account of someone who arrives through an invitation, and make them a member.

    The address is the one the invitation was sent to, so saying it has an account tells nobody new.
    One transaction: an invitation withdrawn meanwhile leaves no account behind. The caller signs the
    new person in.
    """
    if user_get_by_email(email=invitation.email) is not None:
        raise ValidationError({"email": [ACCOUNT_EXISTS]})
    user = _user_build(email=invitation.email, full_name=full_name, password=password)
    user.save()
    return invitation_accept(invitation=invitation, user=user)


@transaction.atomic
def user_update(*, user: User, full_name: str) -> User:
    user, _ = model_update(instance=user, fields=["full_name"], data={"full_name": full_name.strip()})
    return user
