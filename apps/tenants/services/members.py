"""Who belongs to a tenant: roles, removal, invitations by e-mail."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.normalise import email_normalise
from apps.audit.services import audit_record
from apps.core.pages import site_link
from apps.core.rls import task_send, tenant_scope
from apps.tenants import tasks
from apps.tenants.exceptions import AlreadyMemberError, InvitationError
from apps.tenants.models import ApiKey, Invitation, Membership, Role, Tenant
from apps.tenants.services.api_keys import api_key_revoke
from apps.tenants.services.roles import (
    membership_acts_as_self,
    membership_change_refusal,
    role_grant_refusal,
)

if TYPE_CHECKING:
    from apps.accounts.models import User

INVITATION_SALT = "tenants.invitation"


def _membership_lock_and_check(
    *, tenant: Tenant, actor_membership: Membership, membership: Membership, role: str | None
) -> Membership:
    """The member as it is now, once the team's rules allow the change (`role` None: removal).

    The tenant's owner rows are locked first, so two demotions at once can't leave it with no owner.
    """
    owners = Membership.objects.for_tenant(tenant).filter(role=Role.OWNER).select_for_update()
    owner_count = len(list(owners))
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("user").get(pk=membership.pk)
    )
    refusal = membership_change_refusal(
        actor_membership=actor_membership, membership=membership, role=role, owner_count=owner_count
    )
    if refusal is not None:
        raise refusal
    return membership


@transaction.atomic
def membership_change_role(
    *, tenant: Tenant, actor: User, actor_membership: Membership, membership: Membership, role: str
) -> Membership:
    """Change a member's role, as the team's rules allow (see `membership_change_refusal`)."""
    assert membership.tenant_id == tenant.id
    if role not in Role.values:
        raise ValidationError({"role": ["Choose owner, admin or staff."]})
    membership = _membership_lock_and_check(
        tenant=tenant, actor_membership=actor_membership, membership=membership, role=role
    )
    if membership.role == role:
        return membership
    old = membership.get_role_display()
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role", "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="member.role_change",
        target=membership,
        summary=f"Changed {membership.user.email} from {old} to {membership.get_role_display()}",
    )
    return membership


@transaction.atomic
def membership_remove(
    *, tenant: Tenant, actor: User, actor_membership: Membership, membership: Membership
) -> None:
    """Remove a member, or let a member leave, as the team's rules allow (see `membership_change_refusal`)."""
    assert membership.tenant_id == tenant.id
    membership = _membership_lock_and_check(
        tenant=tenant, actor_membership=actor_membership, membership=membership, role=None
    )
    leaving = membership_acts_as_self(actor_membership=actor_membership, membership=membership)
    email = membership.user.email
    # Keys made by someone who leaves must not outlive their access.
    for key in ApiKey.objects.for_tenant(tenant).filter(created_by=membership.user, revoked_at__isnull=True):
        api_key_revoke(tenant=tenant, actor=actor, api_key=key, reason=f"{email} left the team")
    membership.delete()
    audit_record(
        tenant=tenant,
        actor=actor,
        action="member.leave" if leaving else "member.remove",
        summary=f"{email} left" if leaving else f"Removed {email}",
    )


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "t": invitation.tenant_id}, salt=INVITATION_SALT, compress=True)


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link names, if the link is genuine, unexpired, and still open."""
    max_age = timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvitationError("This invitation link has expired. Ask for a new one.") from None
    except signing.BadSignature:
        raise InvitationError("This invitation link is not valid. Check that it was copied whole.") from None
    with tenant_scope(data.get("t")):  # the signed link names the workspace
        invitation = (
            Invitation.objects.select_related("tenant", "invited_by").filter(
                pk=data.get("i"), tenant_id=data.get("t")
            )
        ).first()
    if invitation is None or invitation.status == Invitation.Status.REVOKED:
        raise InvitationError("This invitation was withdrawn. Ask the shop for a new one.")
    if invitation.status == Invitation.Status.ACCEPTED:
        raise InvitationError("This invitation has already been accepted.")
    if invitation.status == Invitation.Status.EXPIRED:
        raise InvitationError("This invitation link has expired. Ask for a new one.")
    if not invitation.tenant.is_active:
        raise InvitationError("This workspace is no longer active.")
    return invitation


@transaction.atomic
def invitation_create(
    *, tenant: Tenant, actor: User, actor_membership: Membership, email: str, role: str
) -> Invitation:
    """Invite someone by e-mail. A new invitation replaces an open one for the same address."""
    email = email_normalise(email)
    if role not in Role.values:
        raise ValidationError({"role": ["Choose owner, admin or staff."]})
    refusal = role_grant_refusal(actor_membership=actor_membership, role=role, what="anyone")
    if refusal is not None:
        raise refusal
    if Membership.objects.for_tenant(tenant).filter(user__email__iexact=email).exists():
        raise AlreadyMemberError(f"{email} is already a member of {tenant.name}.")
    now = timezone.now()
    for old in Invitation.objects.for_tenant(tenant).filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ):
        old.revoked_at = now
        old.save(update_fields=["revoked_at", "updated_at"])
    invitation = Invitation(
        tenant=tenant,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=now + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        tenant=tenant,
        actor=actor,
        action="invitation.create",
        target=invitation,
        summary=f"Invited {email} as {invitation.get_role_display()}",
    )
    transaction.on_commit(lambda: task_send(tasks.invitation_send_task, invitation.pk, tenant_id=tenant.pk))
    return invitation


@transaction.atomic
def invitation_revoke(*, tenant: Tenant, actor: User, invitation: Invitation) -> Invitation:
    assert invitation.tenant_id == tenant.id
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise InvitationError(
            f"This invitation is already {Invitation.Status(invitation.status).label.lower()}."
        )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="invitation.revoke",
        target=invitation,
        summary=f"Withdrew the invitation of {invitation.email}",
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Turn an open invitation into a membership for the user it was sent to."""
    invitation = Invitation.objects.select_for_update().select_related("tenant").get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise InvitationError(f"This invitation is {Invitation.Status(invitation.status).label.lower()}.")
    if email_normalise(user.email) != email_normalise(invitation.email):
        raise InvitationError(
            f"This invitation is for {invitation.email}, but you are signed in as {user.email}. "
            "Sign out and open the link again."
        )
    tenant = invitation.tenant
    membership, created = Membership.objects.get_or_create(
        tenant=tenant, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    if created:
        audit_record(
            tenant=tenant,
            actor=user,
            action="member.join",
            target=membership,
            summary=f"{user.email} joined as {membership.get_role_display()}",
        )
    return membership


def invitation_send(*, invitation: Invitation) -> bool:
    """E-mail the invitation link. Safe to repeat; sends nothing for an invitation no longer open."""
    if invitation.status != Invitation.Status.PENDING:
        return False
    link = site_link("accounts:invitation_accept", invitation_token(invitation))
    context = {"invitation": invitation, "link": link, "days": settings.INVITATION_MAX_AGE_DAYS}
    send_mail(
        subject=f"You're invited to {invitation.tenant.name} on Tijori",
        message=render_to_string("tenants/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return True
