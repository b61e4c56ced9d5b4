"""GSTIN verification as people meet it: signup, the profile, the API, the certificate's pages, Django
admin and the dashboard. Nothing a shop sees ever tells it that another shop typed or holds its GSTIN."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.demo.management.commands.demo_seed import DEMO_GSTIN
from apps.gst.validators import GSTIN_EXAMPLE, gstin_validate
from apps.tenants import services
from apps.tenants.models import Role, Tenant
from tests.accounts.factories import UserFactory
from tests.conftest import add_member, login
from tests.tenants.factories import certificate_png, gstin_for, gstin_verified, platform_admin

pytestmark = pytest.mark.django_db

GSTIN = gstin_for("27")
# Words that would tell a stranger the GSTIN is known here.
DISCLOSURES = re.compile(r"already|another|registered here|in use|taken", re.IGNORECASE)


@pytest.fixture
def holder(other_tenant, other_owner, certificates_in_tmp):
    """Shop B holds GSTIN as verified."""
    other_tenant = services.tenant_update(
        tenant=other_tenant,
        actor=other_owner,
        name=other_tenant.name,
        state_code="27",
        gstin=GSTIN,
        address="",
    )
    return gstin_verified(other_tenant)


@pytest.fixture
def shop(tenant, owner, certificates_in_tmp):
    """Shop A, with the same GSTIN typed in and its certificate uploaded."""
    tenant = services.tenant_update(
        tenant=tenant, actor=owner, name=tenant.name, state_code="27", gstin=GSTIN, address="1 Zaveri Bazaar"
    )
    return services.tenant_gstin_certificate_upload(tenant=tenant, actor=owner, upload=certificate_png())


@pytest.fixture
def root():
    return UserFactory(email="root@tijori.in", is_staff=True, is_superuser=True)


@pytest.fixture
def root_client(root):
    return login(Client(), root)


def _text(response) -> str:
    return response.content.decode()


# --- nothing tells a stranger ------------------------------------------------------------------------

SIGNUP = {
    "full_name": "Meena Soni",
    "email": "meena@soni-jewels.in",
    "password1": "gold-and-silver-42",
    "password2": "gold-and-silver-42",
    "tenant_kind": "shop",
    "tenant_name": "Soni Jewels",
    "state_code": "27",
    "gstin": GSTIN,
}


def test_signup_with_a_gstin_another_shop_verified_goes_through_and_says_nothing(client, holder):
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:signup_done")
    created = Tenant.objects.get(name="Soni Jewels")
    assert created.gstin == GSTIN and created.gstin_status == Tenant.GstinStatus.NOT_UPLOADED


def test_signup_errors_elsewhere_leave_the_gstin_unremarked(client, holder):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "password2": "something-else-42"})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"password2"}
    assert holder.name not in _text(response) and not DISCLOSURES.search(" ".join(errors["password2"]))
    assert not Tenant.objects.filter(name="Soni Jewels").exists()


def test_a_new_workspace_and_the_profile_take_a_gstin_another_shop_holds(owner_client, owner, holder):
    saved = owner_client.post(
        reverse("tenants:settings_profile"),
        {"name": "Shop A Jewellers", "state_code": "27", "gstin": GSTIN, "address": "1 Zaveri Bazaar"},
        follow=True,
    )
    assert saved.status_code == 200
    page = _text(saved)
    assert holder.name not in page
    notes = " ".join(str(m) for m in get_messages(saved.wsgi_request))
    assert "needs verifying" in notes and not DISCLOSURES.search(notes)
    created = owner_client.post(
        reverse("tenants:workspace_new"),
        {"kind": "shop", "name": "Shop A Annexe", "state_code": "27", "gstin": GSTIN},
    )
    assert created.status_code == 302 and Tenant.objects.filter(gstin=GSTIN).count() == 3


def test_the_api_takes_a_gstin_another_shop_holds_and_shows_where_verification_stands(api, tenant, holder):
    response = api.patch("/api/v1/tenant", {"gstin": GSTIN})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["gstin"] == GSTIN and body["gstin_status"] == "not_uploaded"
    assert holder.name not in response.content.decode()


def test_help_texts_show_an_example_that_is_not_the_demo_shops(owner_client):
    assert gstin_validate(GSTIN_EXAMPLE) == GSTIN_EXAMPLE and GSTIN_EXAMPLE != DEMO_GSTIN
    signup = _text(Client().get(reverse("accounts:signup")))
    profile = _text(owner_client.get(reverse("tenants:settings_profile")))
    wrong = owner_client.post(
        reverse("tenants:settings_profile"), {"name": "A", "state_code": "27", "gstin": "27AAPFU0939F1AV"}
    )
    assert wrong.status_code == 422
    assert f"like {GSTIN_EXAMPLE}" in " ".join(wrong.context["form"].errors["gstin"])
    for page in (signup, profile, _text(wrong)):
        assert GSTIN_EXAMPLE in page and DEMO_GSTIN not in page


# --- the certificate's pages -------------------------------------------------------------------------


def test_owner_uploads_the_certificate_from_the_profile_and_opens_it(
    owner_client, tenant, owner, certificates_in_tmp
):
    services.tenant_update(
        tenant=tenant, actor=owner, name=tenant.name, state_code="27", gstin=GSTIN, address=""
    )
    page = _text(owner_client.get(reverse("tenants:settings_profile")))
    assert "Certificate not uploaded" in page and "Upload the certificate" in page

    response = owner_client.post(
        reverse("tenants:gstin_certificate_upload"), {"certificate": certificate_png("REG-06.png")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("tenants:settings_profile")
    tenant.refresh_from_db()
    assert tenant.gstin_status == Tenant.GstinStatus.AWAITING_REVIEW
    assert "Awaiting review" in _text(owner_client.get(reverse("tenants:settings_profile")))

    link = owner_client.get(reverse("tenants:gstin_certificate"))
    assert link.status_code == 302
    served = owner_client.get(link["Location"])
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff" and "REG-06.png" in served["Content-Disposition"]
    assert (
        b"".join(served.streaming_content)
        == (certificates_in_tmp / tenant.gstin_certificate.name).read_bytes()
    )


def test_a_bad_file_is_refused_on_the_profile_page_and_nothing_is_stored(
    owner_client, tenant, owner, certificates_in_tmp
):
    services.tenant_update(
        tenant=tenant, actor=owner, name=tenant.name, state_code="27", gstin=GSTIN, address=""
    )
    before = AuditEvent.objects.filter(tenant=tenant).count()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner_client.post(
        reverse("tenants:gstin_certificate_upload"),
        {"certificate": SimpleUploadedFile("cert.pdf", b"<html><script>alert(1)</script></html>")},
    )
    assert response.status_code == 422
    assert "must be a PDF, PNG or JPEG" in " ".join(response.context["gstin_form"].errors["certificate"])
    tenant.refresh_from_db()
    assert not tenant.gstin_certificate and AuditEvent.objects.filter(tenant=tenant).count() == before
    assert not any(certificates_in_tmp.rglob("*.*"))


def test_an_admin_may_upload_and_open_the_certificate_staff_may_not(
    tenant, shop, make_client, certificates_in_tmp
):
    admin = make_client(add_member(tenant, Role.ADMIN), tenant)
    assert admin.get(reverse("tenants:gstin_certificate")).status_code == 302
    assert (
        admin.post(
            reverse("tenants:gstin_certificate_upload"), {"certificate": certificate_png()}
        ).status_code
        == 302
    )

    staff = make_client(add_member(tenant, Role.STAFF), tenant)
    stored = Tenant.objects.get(pk=tenant.pk).gstin_certificate.name
    assert staff.get(reverse("tenants:gstin_certificate")).status_code == 403
    assert (
        staff.post(
            reverse("tenants:gstin_certificate_upload"), {"certificate": certificate_png()}
        ).status_code
        == 403
    )
    assert Tenant.objects.get(pk=tenant.pk).gstin_certificate.name == stored


def test_another_shops_member_never_reaches_the_certificate(
    shop, owner_client, other_tenant, other_owner, make_client
):
    """The page always means the member's own shop; a link made for shop A's owner is no key for shop B's."""
    link = owner_client.get(reverse("tenants:gstin_certificate"))["Location"]
    stranger = make_client(other_owner, other_tenant)
    assert stranger.get(reverse("tenants:gstin_certificate")).status_code == 404  # shop B has none
    assert stranger.get(link).status_code == 404


# --- Django admin ------------------------------------------------------------------------------------


def test_super_admin_reviews_and_verifies_in_admin_and_it_is_audited(root_client, root, shop):
    listed = _text(
        root_client.get(reverse("admin:tenants_tenant_changelist") + "?gstin_status=awaiting_review")
    )
    assert shop.name in listed
    review = root_client.get(reverse("admin:tenants_tenant_gstin", args=[shop.pk]))
    assert review.status_code == 200
    page = _text(review)
    assert GSTIN in page and "Awaiting review" in page
    certificate_url = reverse("admin:tenants_tenant_gstin_certificate", args=[shop.pk])
    assert certificate_url in page

    served = root_client.get(certificate_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"

    verified = root_client.post(
        reverse("admin:tenants_tenant_gstin", args=[shop.pk]), {"verify": "1"}, follow=True
    )
    assert verified.status_code == 200 and "is verified" in _text(verified)
    shop.refresh_from_db()
    assert shop.gstin_status == Tenant.GstinStatus.VERIFIED and shop.gstin_verified_by == root
    event = AuditEvent.objects.filter(tenant=shop).latest("pk")
    assert (event.action, event.actor) == ("tenant.gstin_verify", root)


def test_admin_refuses_to_verify_a_gstin_another_shop_holds_and_says_so_to_the_admin(
    root_client, shop, holder
):
    before = AuditEvent.objects.filter(tenant=shop).count()
    response = root_client.post(reverse("admin:tenants_tenant_gstin", args=[shop.pk]), {"verify": "1"})
    assert response.status_code == 409
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert holder.name in said and GSTIN in said
    shop.refresh_from_db()
    assert shop.gstin_status == Tenant.GstinStatus.AWAITING_REVIEW
    assert AuditEvent.objects.filter(tenant=shop).count() == before


def test_admin_rejects_with_a_reason_the_shop_then_reads(root_client, root, shop, owner_client):
    url = reverse("admin:tenants_tenant_gstin", args=[shop.pk])
    empty = root_client.post(url, {"reject": "1", "reason": " "})
    assert empty.status_code == 422 and "reason" in empty.context["reject_form"].errors
    rejected = root_client.post(url, {"reject": "1", "reason": "The certificate shows another GSTIN."})
    assert rejected.status_code == 302
    shop.refresh_from_db()
    assert shop.gstin_status == Tenant.GstinStatus.REJECTED
    event = AuditEvent.objects.filter(tenant=shop).latest("pk")
    assert (event.action, event.actor) == ("tenant.gstin_reject", root)
    dashboard = _text(owner_client.get(reverse("tenants:dashboard")))
    assert "Not verified" in dashboard and "The certificate shows another GSTIN." in dashboard


def test_only_super_admins_review_gstins(shop):
    clerk = login(Client(), UserFactory(email="clerk@tijori.in", is_staff=True, is_superuser=False))
    for url in (
        reverse("admin:tenants_tenant_gstin", args=[shop.pk]),
        reverse("admin:tenants_tenant_gstin_certificate", args=[shop.pk]),
    ):
        assert clerk.get(url).status_code == 403
    assert (
        clerk.post(reverse("admin:tenants_tenant_gstin", args=[shop.pk]), {"verify": "1"}).status_code == 403
    )
    shop.refresh_from_db()
    assert shop.gstin_verified_at is None


# --- the dashboard -----------------------------------------------------------------------------------


def test_the_dashboard_says_where_verification_stands_and_what_it_unlocks(
    owner_client, tenant, owner, certificates_in_tmp
):
    def panel() -> str:
        page = _text(owner_client.get(reverse("tenants:dashboard")))
        return page[page.index('id="gstin"') :]

    assert "Issuing GST invoices needs the shop's GSTIN" in panel()
    services.tenant_update(
        tenant=tenant, actor=owner, name=tenant.name, state_code="27", gstin=GSTIN, address=""
    )
    assert "Certificate not uploaded" in panel() and "Upload the GST registration certificate" in panel()
    services.tenant_gstin_certificate_upload(tenant=tenant, actor=owner, upload=certificate_png())
    assert "Awaiting review" in panel()
    services.tenant_gstin_verify(tenant=tenant, actor=platform_admin())
    assert "Verified" in panel() and "can issue GST invoices" in panel()


def test_staff_see_no_verification_panel(tenant, make_client):
    staff = make_client(add_member(tenant, Role.STAFF), tenant)
    assert 'id="gstin"' not in _text(staff.get(reverse("tenants:dashboard")))


def test_the_review_queue_costs_the_same_queries_however_many_shops_wait(
    root_client, shop, owner, certificates_in_tmp, django_assert_max_num_queries
):
    url = reverse("admin:tenants_tenant_changelist") + "?gstin_status=awaiting_review"
    with django_assert_max_num_queries(20) as few:
        assert root_client.get(url).status_code == 200
    for n in range(4):
        more = services.tenant_create(
            owner=owner,
            kind="shop",
            name=f"Queue {n}",
            state_code="27",
            gstin=gstin_for("27", pan=f"AAACQ{n + 1:04d}Q"),
        )
        services.tenant_gstin_certificate_upload(tenant=more, actor=owner, upload=certificate_png())
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = root_client.get(url)
    assert _text(page).count('/gstin/">Awaiting review</a>') == 5
