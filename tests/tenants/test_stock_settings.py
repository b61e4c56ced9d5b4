"""A shop's stock settings on its profile page (`services/shop_settings.py`): SKU numbering and the
small-turnover exemption, owners and admins only, each change audited with who and when."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.tenants.exceptions import RoleNotAllowedError
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create, tenant_stock_settings_update

pytestmark = pytest.mark.django_db

SETTINGS = {"sku_prefix": "LJ-", "sku_next_number": "501", "sku_digits": "5", "small_turnover_exempt": "on"}


def stored(tenant) -> tuple:
    return Tenant.objects.values_list(
        "sku_prefix", "sku_next_number", "sku_digits", "small_turnover_exempt"
    ).get(pk=tenant.pk)


def events(tenant) -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(tenant=tenant, action__in=["tenant.sku_numbering", "tenant.small_turnover"])
        .order_by("id")
        .values_list("action", "actor_label", "summary")
    )


def test_an_owner_sets_numbering_and_the_exemption_on_the_profile_page(owner_client, tenant, owner):
    page = owner_client.get(reverse("tenants:settings_profile")).content.decode()
    assert 'id="stock-settings"' in page and "The next one is <code>TJ-0001</code>" in page

    response = owner_client.post(reverse("tenants:stock_settings"), SETTINGS)

    assert response.status_code == 302 and response["Location"] == reverse("tenants:settings_profile")
    assert stored(tenant) == ("LJ-", 501, 5, True)
    assert events(tenant) == [
        ("tenant.sku_numbering", owner.email, "Articles added without a SKU are numbered from LJ-00501 (was TJ-0001)"),
        ("tenant.small_turnover", owner.email, "Small-turnover exemption turned on: the shop's articles need no HUID"),
    ]  # fmt: skip
    page = owner_client.get(reverse("tenants:settings_profile")).content.decode()
    assert "The next one is <code>LJ-00501</code>" in page
    assert "Changed by" in page and "the shop&#x27;s articles need no HUID" in page


def test_saving_the_same_settings_again_records_nothing(owner_client, tenant):
    owner_client.post(reverse("tenants:stock_settings"), SETTINGS)
    owner_client.post(reverse("tenants:stock_settings"), SETTINGS)
    assert len(events(tenant)) == 2


def test_turning_the_exemption_off_is_audited_on_its_own(owner_client, tenant):
    owner_client.post(reverse("tenants:stock_settings"), SETTINGS)
    owner_client.post(reverse("tenants:stock_settings"), {**SETTINGS, "small_turnover_exempt": ""})
    assert stored(tenant)[3] is False
    assert events(tenant)[-1][0] == "tenant.small_turnover"
    assert "turned off" in events(tenant)[-1][2]
    assert len(events(tenant)) == 3


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"sku_prefix": "LJ 1"}, "sku_prefix", "without spaces"),
        ({"sku_prefix": "A" * 13}, "sku_prefix", "at most 12 characters"),
        ({"sku_next_number": "0"}, "sku_next_number", "from 1 to 999,999,999"),
        ({"sku_next_number": "1000000000"}, "sku_next_number", "from 1 to 999,999,999"),
        ({"sku_digits": "9"}, "sku_digits", "1 to 8 digits"),
        ({"sku_digits": "many"}, "sku_digits", "Enter a whole number"),
    ],
)
def test_bad_settings_are_shown_beside_their_field_and_nothing_changes(
    owner_client, tenant, change, field, message
):
    response = owner_client.post(reverse("tenants:stock_settings"), {**SETTINGS, **change})
    assert response.status_code == 422
    assert message in " ".join(response.context["stock_form"].errors[field])
    assert stored(tenant) == ("TJ-", 1, 4, False)
    assert events(tenant) == []


def test_staff_can_neither_see_nor_change_the_settings(make_client, tenant, staff_user, admin_user):
    staff = make_client(staff_user, tenant)
    assert staff.post(reverse("tenants:stock_settings"), SETTINGS).status_code == 403
    assert stored(tenant) == ("TJ-", 1, 4, False)
    with pytest.raises(RoleNotAllowedError):
        tenant_stock_settings_update(
            tenant=tenant, actor=staff_user, sku_prefix="X-", sku_next_number=1, sku_digits=4,
            small_turnover_exempt=True,
        )  # fmt: skip
    admin = make_client(admin_user, tenant)
    assert admin.post(reverse("tenants:stock_settings"), SETTINGS).status_code == 302
    assert events(tenant)[0][1] == admin_user.email


def test_a_personal_workspace_has_no_stock_settings(owner):
    workspace = tenant_create(owner=owner, kind=Tenant.Kind.PERSONAL, name="Side projects")
    with pytest.raises(ValidationError):
        tenant_stock_settings_update(
            tenant=workspace, actor=owner, sku_prefix="X-", sku_next_number=1, sku_digits=4,
            small_turnover_exempt=True,
        )  # fmt: skip
    assert stored(workspace) == ("TJ-", 1, 4, False)


def test_each_shop_has_its_own_settings(owner_client, tenant, other_tenant):
    owner_client.post(reverse("tenants:stock_settings"), SETTINGS)
    assert stored(other_tenant) == ("TJ-", 1, 4, False)
    assert events(other_tenant) == []
