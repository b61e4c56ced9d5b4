import re

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.tenants.models import Invitation, Membership, Role, Tenant
from tests.tenants.factories import gstin_for

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Meena Soni",
    "email": "Meena@Soni-Jewels.in",
    "password1": "gold-and-silver-42",
    "password2": "gold-and-silver-42",
    "tenant_kind": "shop",
    "tenant_name": "Soni Jewels",
    "state_code": "27",
    "gstin": "27aapfu0939f1zv",
}


def test_signup_creates_user_shop_owner_membership_and_audit(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    assert [m.to for m in mail.outbox] == [["meena@soni-jewels.in"]]
    assert "account meena@soni-jewels.in and your first workspace are ready" in mail.outbox[0].body
    user = User.objects.get()
    assert user.email == "meena@soni-jewels.in"
    tenant = Tenant.objects.get()
    assert (tenant.kind, tenant.name, tenant.state_code, tenant.gstin) == (
        "shop",
        "Soni Jewels",
        "27",
        "27AAPFU0939F1ZV",
    )
    assert Membership.objects.get().role == Role.OWNER
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "tenant.create",
        "account.signup",
        "contract.trial_start",  # the new shop's AMC trial
    }
    signed_in = client.post(
        reverse("accounts:login"), {"username": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert signed_in.status_code == 302
    dashboard = client.get(reverse("tenants:dashboard"))
    assert dashboard.status_code == 200
    assert "Soni Jewels" in dashboard.content.decode()


def test_signup_personal_workspace_needs_no_state(client):
    data = {
        **SIGNUP,
        "tenant_kind": "personal",
        "tenant_name": "Meena's builds",
        "state_code": "",
        "gstin": "",
    }
    assert client.post(reverse("accounts:signup"), data).status_code == 302
    assert Tenant.objects.get().kind == Tenant.Kind.PERSONAL


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"gstin": "27AAPFU0939F1ZX"}, "gstin", "check digit"),
        ({"gstin": gstin_for("29")}, "gstin", "not in Maharashtra"),
        ({"state_code": ""}, "state_code", "Choose the state"),
        ({"password2": "something-else-1"}, "password2", "don't match"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "entirely numeric"),
        ({"email": "not-an-email"}, "email", "valid email"),
    ],
)
def test_bad_signup_says_why_and_creates_nothing(client, changes, field, message):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, **changes})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not User.objects.exists()
    assert not Tenant.objects.exists()
    assert not AuditEvent.objects.exists()


def test_login_with_email_case_insensitive(client, owner, tenant, password):
    response = client.post(reverse("accounts:login"), {"username": owner.email.upper(), "password": password})
    assert response.status_code == 302
    assert client.get(reverse("tenants:dashboard")).status_code == 200


def test_repeated_failed_logins_lock_the_account_with_a_clear_message(client, owner, password, settings):
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": owner.email, "password": "wrong-password"})
        assert response.status_code == 422
        assert "match an account" in response.content.decode()
    locked = client.post(url, {"username": owner.email, "password": "wrong-password"})
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    # Even the right password is refused while locked out.
    still = client.post(url, {"username": owner.email, "password": password})
    assert still.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_round_trip(client, owner):
    response = client.post(reverse("accounts:password_reset"), {"email": owner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/password-reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"})
    assert done.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("brand-new-pass-77")


def test_password_reset_for_unknown_address_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.in"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change_needs_the_old_password(owner_client, owner, password):
    url = reverse("accounts:password_change")
    bad = owner_client.post(
        url, {"old_password": "nope", "new_password1": "x-new-pass-99", "new_password2": "x-new-pass-99"}
    )
    assert bad.status_code == 422
    good = owner_client.post(
        url, {"old_password": password, "new_password1": "x-new-pass-99", "new_password2": "x-new-pass-99"}
    )
    assert good.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("x-new-pass-99")


def test_logout_needs_post_and_ends_the_session(owner_client):
    assert owner_client.post(reverse("accounts:logout")).status_code == 302
    response = owner_client.get(reverse("tenants:dashboard"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_signup_shows_every_fields_error_in_one_round(client):
    """Form checks (the address) and service checks (password strength, state, GSTIN) answer together."""
    bad = {
        "email": "not-an-email",
        "password1": "12345678901",
        "password2": "12345678901",
        "state_code": "",
        "gstin": "27AAPFU0939F1ZX",
    }
    response = client.post(reverse("accounts:signup"), {**SIGNUP, **bad})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"email", "password1", "state_code", "gstin"}
    assert "valid email" in str(errors["email"])
    assert "entirely numeric" in str(errors["password1"])
    assert "Choose the state" in str(errors["state_code"])
    assert "check digit" in str(errors["gstin"])
    assert not User.objects.exists() and not Tenant.objects.exists()


def test_signup_with_only_service_errors_shows_them_all(client):
    bad = {"password1": "12345678901", "password2": "12345678901", "state_code": ""}
    response = client.post(reverse("accounts:signup"), {**SIGNUP, **bad})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"password1", "state_code"}
    assert not User.objects.exists() and not Tenant.objects.exists()


def test_invite_accept_by_new_user_through_the_pages(
    owner_client, tenant, client, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("tenants:invitation_create"), {"email": "karan@example.in", "role": "admin"}
        )
    assert response.status_code == 302
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line)
    path = link[link.index("/invitations/") :]
    from django.test import Client

    newcomer = Client()
    page = newcomer.get(path)
    assert page.status_code == 200 and "Join Shop A Jewellers" in page.content.decode()
    joined = newcomer.post(
        path, {"full_name": "Karan", "password1": "karan-pass-2026", "password2": "karan-pass-2026"}
    )
    assert joined.status_code == 302
    dash = newcomer.get(reverse("tenants:dashboard"))
    assert dash.context["active_tenant"] == tenant and dash.context["active_membership"].role == Role.ADMIN
    assert Invitation.objects.get().status == Invitation.Status.ACCEPTED
    assert newcomer.get(path).status_code == 410


def test_a_signed_in_invitee_joins_with_one_click_and_someone_else_is_refused(
    owner_client, tenant, make_client, django_capture_on_commit_callbacks
):
    from django.core import mail

    from tests.accounts.factories import UserFactory

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("tenants:invitation_create"), {"email": "ravi@example.in", "role": "staff"})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/invitations/" in line)
    path = link[link.index("/invitations/") :]

    stranger = make_client(UserFactory(email="someone@example.in"))
    refused = stranger.post(path)
    assert refused.status_code == 409 and "ravi@example.in" in refused.content.decode()
    assert not Membership.objects.filter(tenant=tenant, user__email="someone@example.in").exists()

    ravi = make_client(UserFactory(email="ravi@example.in"))
    assert ravi.get(path).status_code == 200
    joined = ravi.post(path)
    assert joined.status_code == 302 and joined["Location"] == reverse("tenants:dashboard")
    assert ravi.get(reverse("tenants:dashboard")).context["active_tenant"] == tenant
    assert Membership.objects.get(tenant=tenant, user__email="ravi@example.in").role == Role.STAFF
