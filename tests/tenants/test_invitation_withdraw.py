"""Withdrawing an invitation from the Team page: the link stops working and nobody joins through it."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.tenants.models import Invitation, Membership

pytestmark = pytest.mark.django_db

EMAIL = "karan@example.in"


@pytest.fixture
def invited(owner_client, django_capture_on_commit_callbacks):
    """Invite through the page; the invitation and the path of the link in its e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("tenants:invitation_create"), {"email": EMAIL, "role": "admin"})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/invitations/" in line)
    return Invitation.objects.get(email=EMAIL), link[link.index("/invitations/") :]


def test_withdrawing_an_invitation_from_the_team_page_stops_its_link(owner_client, tenant, invited):
    invitation, link = invited
    withdraw = reverse("tenants:invitation_revoke", args=[invitation.pk])
    assert withdraw in owner_client.get(reverse("tenants:team")).content.decode()

    response = owner_client.post(withdraw, follow=True)

    assert response.redirect_chain == [(reverse("tenants:team"), 302)]
    page = response.content.decode()
    assert f"The invitation of {EMAIL} was withdrawn." in page
    assert withdraw not in page  # no longer listed as pending
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    assert AuditEvent.objects.filter(tenant=tenant, action="invitation.revoke").count() == 1

    newcomer = Client()
    assert newcomer.get(link).status_code == 410
    signup = {"full_name": "Karan", "password1": "karan-pass-2026", "password2": "karan-pass-2026"}
    assert newcomer.post(link, signup).status_code == 410
    assert not User.objects.filter(email=EMAIL).exists()
    assert not Membership.objects.filter(tenant=tenant, user__email=EMAIL).exists()


def test_withdrawing_twice_says_it_is_already_withdrawn_and_changes_nothing(owner_client, tenant, invited):
    invitation, _ = invited
    withdraw = reverse("tenants:invitation_revoke", args=[invitation.pk])
    owner_client.post(withdraw)
    invitation.refresh_from_db()
    revoked_at = invitation.revoked_at

    response = owner_client.post(withdraw, follow=True)

    assert "This invitation is already revoked." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at == revoked_at
    assert AuditEvent.objects.filter(tenant=tenant, action="invitation.revoke").count() == 1


def test_staff_cannot_withdraw_an_invitation(make_client, staff_user, tenant, invited):
    invitation, link = invited

    response = make_client(staff_user, tenant).post(
        reverse("tenants:invitation_revoke", args=[invitation.pk])
    )

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert Client().get(link).status_code == 200


def test_a_withdrawn_invitation_is_gone_from_the_api_and_a_second_withdrawal_changes_nothing(
    api, tenant, invited
):
    invitation, _ = invited
    assert api.delete(f"/api/v1/invitations/{invitation.pk}").status_code == 204

    again = api.delete(f"/api/v1/invitations/{invitation.pk}")

    assert again.status_code == 404, again.content  # the API lists and acts on open invitations only
    assert invitation.pk not in [i["id"] for i in api.get("/api/v1/invitations").json()["results"]]
    assert AuditEvent.objects.filter(tenant=tenant, action="invitation.revoke").count() == 1
