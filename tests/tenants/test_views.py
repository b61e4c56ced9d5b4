import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.tenants import services
from apps.tenants.models import Invitation, Membership, Role, Tenant
from tests.accounts.factories import UserFactory
from tests.conftest import add_member
from tests.tenants.conftest import EMAIL
from tests.tenants.factories import gstin_for

pytestmark = pytest.mark.django_db


def _png(size=(64, 64), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 150, 20)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("tenants:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_dashboard_shows_the_active_tenant(owner_client, tenant):
    response = owner_client.get(reverse("tenants:dashboard"))
    assert response.status_code == 200
    assert tenant.name in response.content.decode()


def test_dashboard_query_count_does_not_grow_with_members_or_stock(
    owner_client, tenant, owner, assert_app_queries
):
    from apps.inventory.models import Purity
    from apps.inventory.services import metal_rate_set, stock_item_create

    # user, memberships (switcher), member count, the AMC contract, recent events; for a shop the
    # stock value (rates, weights by purity, purities) and the compliance figures (4). Each write below
    # marks the stock figures changed, so both requests compute them (the cache's own queries, on the
    # embedded defaults, are not counted: see tests/tenants/test_dashboard_figures.py for the cached request).
    with assert_app_queries() as first:
        assert owner_client.get(reverse("tenants:dashboard")).status_code == 200
    assert first.count <= 12
    for _ in range(15):
        add_member(tenant, Role.STAFF)
    yesterday = timezone.localdate() - timedelta(days=1)  # so the reminder asks the same questions
    for purity in Purity.objects.all():
        metal_rate_set(
            tenant=tenant, actor=owner, purity=purity, rate_per_gram="1000", effective_on=yesterday
        )
        for n in range(3):
            stock_item_create(
                tenant=tenant, actor=owner, name=f"{purity} {n}", purity=purity, gross_weight="3"
            )
    with assert_app_queries(first.count):
        assert owner_client.get(reverse("tenants:dashboard")).status_code == 200


def test_team_page_query_count_is_flat(
    owner_client, tenant, django_assert_num_queries, django_assert_max_num_queries
):
    for _ in range(3):
        add_member(tenant, Role.STAFF)
    # One fewer when sessions are in Redis; one is the AMC banner's contract.
    with django_assert_max_num_queries(6) as first:
        owner_client.get(reverse("tenants:team"))
    for _ in range(20):
        add_member(tenant, Role.STAFF)
    with django_assert_num_queries(len(first.captured_queries)):
        response = owner_client.get(reverse("tenants:team"))
    assert response.content.decode().count('data-label="E-mail"') == 24


def test_user_switches_between_their_tenants(client, owner, tenant, other_tenant, make_client):
    Membership.objects.create(tenant=other_tenant, user=owner, role=Role.STAFF)
    c = make_client(owner, tenant)
    assert c.get(reverse("tenants:dashboard")).context["active_tenant"] == tenant
    response = c.post(reverse("tenants:switch"), {"tenant_id": other_tenant.pk})
    assert response.status_code == 302
    page = c.get(reverse("tenants:dashboard"))
    assert page.context["active_tenant"] == other_tenant
    assert page.context["active_membership"].role == Role.STAFF


def test_switching_to_a_tenant_one_does_not_belong_to_is_404(owner_client, other_tenant, tenant):
    response = owner_client.post(reverse("tenants:switch"), {"tenant_id": other_tenant.pk})
    assert response.status_code == 404
    assert owner_client.get(reverse("tenants:dashboard")).context["active_tenant"] == tenant
    assert owner_client.post(reverse("tenants:switch"), {"tenant_id": "x"}).status_code == 404


def test_deactivated_tenant_shows_a_clear_message_and_keeps_data(owner_client, tenant, owner):
    services.tenant_set_active(tenant=tenant, actor=owner, active=False, reason="AMC unpaid")
    for name in ["tenants:dashboard", "tenants:team", "audit:list"]:
        response = owner_client.get(reverse(name))
        assert response.status_code == 403
        assert "is deactivated" in response.content.decode()
        assert "Nothing has been deleted" in response.content.decode()
    assert Tenant.objects.filter(pk=tenant.pk).exists()
    assert Membership.objects.for_tenant(tenant).count() == 1


def test_user_without_any_tenant_is_asked_to_create_one(client, make_client):
    lonely = UserFactory()
    c = make_client(lonely)
    response = c.get(reverse("tenants:dashboard"))
    assert response["Location"] == reverse("tenants:workspace_new")
    created = c.post(reverse("tenants:workspace_new"), {"kind": "personal", "name": "My builds"})
    assert created.status_code == 302
    assert c.get(reverse("tenants:dashboard")).context["active_tenant"].name == "My builds"


@pytest.mark.parametrize("url_name", ["tenants:settings_profile", "audit:list"])
def test_staff_cannot_open_admin_pages(make_client, staff_user, tenant, url_name):
    response = make_client(staff_user, tenant).get(reverse(url_name))
    assert response.status_code == 403
    assert "admin role and above" in response.content.decode()


def test_staff_sees_team_without_controls(make_client, staff_user, tenant):
    response = make_client(staff_user, tenant).get(reverse("tenants:team"))
    assert response.status_code == 200
    assert "Send invitation" not in response.content.decode()


def test_staff_cannot_change_roles_through_a_forged_post(make_client, staff_user, tenant, owner):
    target = Membership.objects.get(tenant=tenant, user=owner)
    response = make_client(staff_user, tenant).post(
        reverse("tenants:member_role", args=[target.pk]), {"role": "staff"}
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == Role.OWNER


def test_profile_update_with_logo(owner_client, tenant):
    logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    data = {
        "name": "Shop A Gold",
        "state_code": "27",
        "gstin": gstin_for("27"),
        "address": "MG Road",
        "logo": logo,
    }
    response = owner_client.post(reverse("tenants:settings_profile"), data)
    assert response.status_code == 302, response.context["form"].errors
    tenant.refresh_from_db()
    assert tenant.name == "Shop A Gold" and tenant.gstin == gstin_for("27")
    assert tenant.logo.name.startswith("logos/")
    assert tenant.logo.storage.exists(tenant.logo.name)
    served = owner_client.get(tenant.logo.url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == _png()
    event = AuditEvent.objects.get(action="tenant.update")
    assert "name" in event.summary and "GSTIN" in event.summary and "logo" in event.summary


@pytest.mark.parametrize(
    "name, fmt, content_type, extension",
    [("poc.html", "PNG", "image/png", "png"), ("photo.png", "JPEG", "image/jpeg", "jpg")],
)
def test_logo_is_stored_and_served_as_the_image_it_is_whatever_its_name(
    owner_client, client, tenant, name, fmt, content_type, extension
):
    upload = SimpleUploadedFile(name, _png(fmt=fmt), content_type="text/html")
    data = {"name": "Shop A", "state_code": "27", "gstin": "", "address": "", "logo": upload}
    response = owner_client.post(reverse("tenants:settings_profile"), data)
    assert response.status_code == 302, response.context["form"].errors
    tenant.refresh_from_db()
    assert re.fullmatch(rf"logos/t{tenant.pk}/[0-9a-f]{{32}}\.{extension}", tenant.logo.name)
    served = client.get(tenant.logo.url)  # public: anyone, signed in or not
    assert served.status_code == 200 and served["Content-Type"] == content_type
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "sandbox"
    assert b"".join(served.streaming_content) == _png(fmt=fmt)


@pytest.mark.parametrize(
    "upload, message",
    [
        (
            SimpleUploadedFile("logo.png", b"%PDF-1.4 not an image", content_type="image/png"),
            "PNG, JPEG or WebP",
        ),
        (SimpleUploadedFile("logo.gif", _png(fmt="GIF"), content_type="image/gif"), "PNG, JPEG or WebP"),
    ],
)
def test_bad_logo_is_refused_and_nothing_changes(owner_client, tenant, upload, message):
    data = {"name": "Renamed", "state_code": "27", "gstin": "", "address": "", "logo": upload}
    response = owner_client.post(reverse("tenants:settings_profile"), data)
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors["logo"])
    tenant.refresh_from_db()
    assert tenant.name == "Shop A Jewellers" and not tenant.logo
    assert not AuditEvent.objects.filter(action="tenant.update").exists()


def test_oversized_logo_is_refused(owner_client, tenant, settings):
    settings.LOGO_MAX_BYTES = 100
    data = {
        "name": "x",
        "state_code": "27",
        "gstin": "",
        "address": "",
        "logo": SimpleUploadedFile("logo.png", _png(), content_type="image/png"),
    }
    response = owner_client.post(reverse("tenants:settings_profile"), data)
    assert response.status_code == 422
    assert "the limit is" in " ".join(response.context["form"].errors["logo"])


def test_profile_gstin_of_wrong_state_is_refused(owner_client, tenant):
    data = {"name": "x", "state_code": "27", "gstin": gstin_for("29"), "address": ""}
    response = owner_client.post(reverse("tenants:settings_profile"), data)
    assert response.status_code == 422
    assert "Karnataka" in " ".join(response.context["form"].errors["gstin"])


def test_invite_with_bad_email_shows_the_error(owner_client):
    response = owner_client.post(reverse("tenants:invitation_create"), {"email": "nope", "role": "staff"})
    assert response.status_code == 422
    assert not Invitation.objects.exists()


def test_last_owner_leave_shows_message_not_error(owner_client, tenant, owner):
    me = Membership.objects.get(tenant=tenant, user=owner)
    response = owner_client.post(reverse("tenants:member_remove", args=[me.pk]))
    assert response.status_code == 409  # the team's state, not a permission: the page says what to do
    assert "only owner" in response.content.decode()
    assert Membership.objects.filter(pk=me.pk).exists()


def test_api_key_page_shows_the_secret_once_and_revokes(owner_client, tenant):
    from apps.tenants.models import ApiKey

    response = owner_client.post(reverse("tenants:api_keys"), {"name": "Tally sync", "role": "admin"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("tj_") and secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    listing = owner_client.get(reverse("tenants:api_keys")).content.decode()
    assert "Tally sync" in listing and secret not in listing
    key = ApiKey.objects.get()
    revoked = owner_client.post(reverse("tenants:api_key_revoke", args=[key.pk]), follow=True)
    assert "was revoked" in revoked.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_api_key_page_refuses_a_role_above_ones_own(make_client, admin_user, tenant):
    from apps.tenants.models import ApiKey

    response = make_client(admin_user, tenant).post(
        reverse("tenants:api_keys"), {"name": "x", "role": "owner"}
    )
    assert response.status_code == 422
    assert not ApiKey.objects.exists()


def test_staff_cannot_open_api_keys(make_client, staff_user, tenant):
    assert make_client(staff_user, tenant).get(reverse("tenants:api_keys")).status_code == 403


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
