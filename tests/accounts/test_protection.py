"""Sign-in lockout by account whatever the letter case; no account enumeration; e-mail budgets."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.tenants.models import Invitation, Membership, Role, Tenant
from apps.tenants.services import invitation_accept, invitation_create
from tests.accounts.factories import UserFactory
from tests.conftest import add_member

pytestmark = pytest.mark.django_db

LOGIN = "accounts:login"
RESET = "accounts:password_reset"


def _from(address: str) -> dict:
    return {"REMOTE_ADDR": address}


# --- lockout -------------------------------------------------------------------------------------


def test_locked_account_stays_locked_in_capitals_from_a_new_address(client, owner, password, settings):
    url = reverse(LOGIN)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": owner.email, "password": "wrong-password"}, **_from("203.0.113.7"))

    other = Client()
    response = other.post(
        url, {"username": owner.email.upper(), "password": password}, **_from("198.51.100.9")
    )

    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in other.session


def test_failures_in_any_letter_case_count_towards_one_lockout(owner, password, settings):
    url = reverse(LOGIN)
    spellings = [owner.email, owner.email.upper(), owner.email.title(), f"  {owner.email.upper()} "]
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            url,
            {"username": spellings[n % len(spellings)], "password": "nope-nope"},
            **_from(f"192.0.2.{n + 1}"),
        )
    response = Client().post(url, {"username": owner.email, "password": password}, **_from("192.0.2.200"))
    assert response.status_code == 429


# --- signup does not tell who has an account -----------------------------------------------------

SIGNUP = {
    "full_name": "Meena Soni",
    "password1": "gold-and-silver-42",
    "password2": "gold-and-silver-42",
    "tenant_kind": "shop",
    "tenant_name": "Soni Jewels",
    "state_code": "27",
    "gstin": "",
}


def _page(response) -> str:
    """The page as a person sees it: every visitor has their own CSRF token."""
    return re.sub(
        r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*', r"\1", response.content.decode()
    )


def _signup(email: str, capture, **changes):
    with capture(execute=True):
        return Client().post(reverse("accounts:signup"), {**SIGNUP, "email": email, **changes}, follow=True)


def test_signup_with_a_taken_address_answers_like_a_new_one_and_tells_the_holder(
    owner, django_capture_on_commit_callbacks
):
    new = _signup("fresh@soni-jewels.in", django_capture_on_commit_callbacks)
    users, tenants, events = User.objects.count(), Tenant.objects.count(), AuditEvent.objects.count()
    mail.outbox.clear()

    taken = _signup(owner.email.upper(), django_capture_on_commit_callbacks)

    assert taken.status_code == new.status_code == 200
    assert taken.redirect_chain == new.redirect_chain == [(reverse("accounts:signup_done"), 302)]
    assert _page(taken) == _page(new)
    assert (User.objects.count(), Tenant.objects.count(), AuditEvent.objects.count()) == (
        users,
        tenants,
        events,
    )
    assert not User.objects.filter(full_name="Meena Soni", email=owner.email).exists()
    assert [m.to for m in mail.outbox] == [[owner.email]]
    notice = mail.outbox[0].body
    assert "Someone tried to create a Tijori account with your address" in notice
    assert reverse("accounts:password_reset") in notice and reverse(LOGIN) in notice


def test_signup_with_a_taken_address_checks_the_form_the_same_way(owner, django_capture_on_commit_callbacks):
    weak = {"password1": "1234567890", "password2": "1234567890"}
    new = _signup("fresh@soni-jewels.in", django_capture_on_commit_callbacks, **weak)
    taken = _signup(owner.email, django_capture_on_commit_callbacks, **weak)
    assert new.status_code == taken.status_code == 422
    assert new.context["form"].errors == taken.context["form"].errors
    assert mail.outbox == []
    assert User.objects.count() == 1


# --- e-mail budgets ------------------------------------------------------------------------------


def _reset(email: str, address: str):
    return Client().post(reverse(RESET), {"email": email}, **_from(address))


def test_password_reset_emails_per_mailbox_are_limited_and_the_page_answers_the_same(owner, settings):
    limit = int(settings.ACCOUNT_EMAIL_RATE_PER_EMAIL.split("/")[0])
    spellings = [owner.email, owner.email.upper()]
    answers = [_reset(spellings[n % 2], f"198.51.100.{n + 1}") for n in range(limit + 3)]
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, reverse("accounts:password_reset_done"))
    }
    assert len(mail.outbox) == limit
    assert all(m.to == [owner.email] for m in mail.outbox)


def test_password_reset_emails_per_client_address_are_limited(settings):
    limit = int(settings.ACCOUNT_EMAIL_RATE_PER_ADDRESS.split("/")[0])
    people = [UserFactory() for _ in range(limit + 2)]
    answers = [_reset(person.email, "203.0.113.50") for person in people]
    assert {a.status_code for a in answers} == {302}
    assert len(mail.outbox) == limit


def test_signup_notices_share_the_mailbox_budget(owner, settings, django_capture_on_commit_callbacks):
    limit = int(settings.ACCOUNT_EMAIL_RATE_PER_EMAIL.split("/")[0])
    for n in range(limit + 2):
        with django_capture_on_commit_callbacks(execute=True):
            Client().post(
                reverse("accounts:signup"), {**SIGNUP, "email": owner.email}, **_from(f"192.0.2.{n + 1}")
            )
    assert len(mail.outbox) == limit


# --- one spelling of an address everywhere ----------------------------------------------------------


def test_invitations_and_member_lookups_ignore_letter_case_and_spaces(tenant, owner):
    me = Membership.objects.get(tenant=tenant, user=owner)
    staff = add_member(tenant, Role.STAFF, "ravi@shop-a.in")
    with pytest.raises(Exception, match="already a member"):
        invitation_create(
            tenant=tenant, actor=owner, actor_membership=me, email=" RAVI@Shop-A.in ", role="staff"
        )
    invitation = invitation_create(
        tenant=tenant, actor=owner, actor_membership=me, email=" New@Shop-A.in ", role="staff"
    )
    assert invitation.email == "new@shop-a.in"
    newcomer = UserFactory(email="NEW@shop-a.in")  # stored as typed, as by an older version
    invitation_accept(invitation=invitation, user=newcomer)
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == newcomer
    assert staff.email == "ravi@shop-a.in"
