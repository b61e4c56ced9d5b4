"""Reads about tenants and their people, always scoped to one tenant or one user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.tenants.models import ApiKey, Invitation, Membership, Tenant

if TYPE_CHECKING:
    from apps.accounts.models import User


def user_membership_list(*, user: User) -> list[Membership]:
    """Every tenant the user belongs to, for the tenant switcher (one query)."""
    return list(Membership.objects.filter(user=user).select_related("tenant").order_by("tenant__name", "pk"))


def membership_list(*, tenant: Tenant, role: str | None = None) -> QuerySet[Membership]:
    """The team by name; `role` keeps the members who have exactly that role."""
    members = Membership.objects.for_tenant(tenant).select_related("user")
    if role:
        members = members.filter(role=role)
    return members.order_by("user__full_name", "user__email")


def membership_get(*, tenant: Tenant, membership_id: int) -> Membership:
    return get_object_or_404(Membership.objects.for_tenant(tenant).select_related("user"), pk=membership_id)


def invitation_pending_list(*, tenant: Tenant) -> QuerySet[Invitation]:
    """Open invitations whose link still works (the team page's "waiting for an answer")."""
    return (
        invitation_open_list(tenant=tenant).filter(expires_at__gt=timezone.now()).select_related("invited_by")
    )


def invitation_get(*, tenant: Tenant, invitation_id: int) -> Invitation:
    return get_object_or_404(Invitation.objects.for_tenant(tenant), pk=invitation_id)


def invitation_open_list(*, tenant: Tenant) -> QuerySet[Invitation]:
    """Invitations not accepted or withdrawn (expired ones included: their status says so)."""
    return (
        Invitation.objects.for_tenant(tenant)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .order_by("pk")
    )


def api_key_list(*, tenant: Tenant) -> QuerySet[ApiKey]:
    return ApiKey.objects.for_tenant(tenant).select_related("created_by").order_by("-created_at", "-pk")


def api_key_get(*, tenant: Tenant, api_key_id: int) -> ApiKey:
    return get_object_or_404(api_key_list(tenant=tenant), pk=api_key_id)


# Tenant.gstin_status in SQL, for the platform's review queue (Django admin's filter).
GSTIN_STATUS_FILTERS: dict[str, Q] = {
    Tenant.GstinStatus.NONE: Q(gstin=""),
    Tenant.GstinStatus.VERIFIED: ~Q(gstin="") & Q(gstin_verified_at__isnull=False),
    Tenant.GstinStatus.REJECTED: ~Q(gstin="")
    & Q(gstin_verified_at__isnull=True)
    & ~Q(gstin_rejection_reason=""),
    Tenant.GstinStatus.AWAITING_REVIEW: ~Q(gstin="")
    & Q(gstin_verified_at__isnull=True, gstin_rejection_reason="")
    & ~Q(gstin_certificate=""),
    Tenant.GstinStatus.NOT_UPLOADED: ~Q(gstin="")
    & Q(gstin_verified_at__isnull=True, gstin_rejection_reason="", gstin_certificate=""),
}


def tenant_gstin_holder(*, gstin: str, exclude_id: int | None = None) -> Tenant | None:
    """The shop whose verification of this GSTIN stands, if any: platform-wide, for super admins only."""
    if not gstin:
        return None
    return Tenant.objects.filter(gstin=gstin, gstin_verified_at__isnull=False).exclude(pk=exclude_id).first()


def tenant_gstin_sharers(*, tenant: Tenant) -> QuerySet[Tenant]:
    """Other shops that typed the same GSTIN (allowed until one is verified): for super admins only."""
    if not tenant.gstin:
        return Tenant.objects.none()
    return Tenant.objects.filter(gstin=tenant.gstin).exclude(pk=tenant.pk).order_by("name", "pk")
