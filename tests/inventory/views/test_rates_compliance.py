"""The rates and compliance pages (`views/rates_compliance.py`), and the dashboard's stock figures."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.inventory.models import Certificate, MetalRate, Purity, StockItem
from tests.inventory.conftest import PDF
from tests.inventory.factories import MetalRateFactory, StockItemFactory

pytestmark = pytest.mark.django_db


def p22():
    return Purity.objects.get(metal="gold", karat="22K")


def make_item(tenant, actor, **values) -> StockItem:
    return StockItemFactory(tenant=tenant, actor=actor, **values)


def test_rates_page_saves_several_rates_and_keeps_history(owner_client, tenant):
    p18 = Purity.objects.get(metal="gold", karat="18K")
    response = owner_client.post(
        reverse("inventory:rates"),
        {"effective_on": timezone.localdate(), f"rate_{p22().pk}": "6,612.50", f"rate_{p18.pk}": "5400"},
    )
    assert response.status_code == 302
    rates = dict(MetalRate.objects.for_tenant(tenant).values_list("purity__karat", "rate_per_gram"))
    assert rates == {"22K": Decimal("6612.50"), "18K": Decimal("5400.00")}
    page = owner_client.get(reverse("inventory:rates")).content.decode()
    assert "₹6,612.50" in page


def test_one_bad_rate_saves_none(owner_client, tenant):
    p18 = Purity.objects.get(metal="gold", karat="18K")
    response = owner_client.post(
        reverse("inventory:rates"),
        {"effective_on": timezone.localdate(), f"rate_{p22().pk}": "6600", f"rate_{p18.pk}": "-5"},
    )
    assert response.status_code == 422
    assert "more than zero" in " ".join(response.context["form"].errors[f"rate_{p18.pk}"])
    assert not MetalRate.objects.exists()


def test_a_rate_for_tomorrow_is_refused(owner_client, tenant):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = owner_client.post(
        reverse("inventory:rates"), {"effective_on": tomorrow, f"rate_{p22().pk}": "1"}
    )
    assert response.status_code == 422 and not MetalRate.objects.exists()


@pytest.mark.parametrize(
    ("days_left", "expected", "shown"),
    [(None, "missing", "not recorded"), (-1, "expired", "It has expired"),
     (59, "expiring", "It expires in 59 days"), (61, "valid", "valid until")],
)  # fmt: skip
def test_compliance_warns_sixty_days_before_the_registration_expires(
    owner_client, tenant, days_left, expected, shown
):
    if days_left is not None:
        tenant.bis_registration_number = "HM/C-1234567890"
        tenant.bis_registration_valid_until = timezone.localdate() + timedelta(days=days_left)
        tenant.save()
    response = owner_client.get(reverse("inventory:compliance"))
    assert response.context["compliance"]["registration"] == expected
    assert shown in response.content.decode()


@pytest.mark.usefixtures("certificates_in_tmp")
def test_admin_records_the_bis_registration_with_its_certificate(
    owner_client, make_client, staff_user, tenant
):
    valid_until = timezone.localdate() + timedelta(days=400)
    upload = SimpleUploadedFile("bis.pdf", PDF, content_type="application/pdf")
    response = owner_client.post(
        reverse("inventory:bis_registration"),
        {"number": "hm/c-5190012345", "valid_until": valid_until, "certificate": upload},
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.bis_registration_number == "HM/C-5190012345"
    assert tenant.bis_registration_valid_until == valid_until
    assert Certificate.objects.for_tenant(tenant).filter(kind="bis_registration").count() == 1
    assert "HM/C-5190012345" in owner_client.get(reverse("tenants:settings_profile")).content.decode()
    staff = make_client(staff_user, tenant)
    assert (
        staff.post(
            reverse("inventory:bis_registration"), {"number": "X", "valid_until": valid_until}
        ).status_code
        == 403
    )
    assert "Save registration" not in staff.get(reverse("inventory:compliance")).content.decode()


def test_compliance_lists_exempt_by_reason_and_articles_needing_huid(owner_client, tenant, owner):
    make_item(tenant, owner, sku="N-1")
    make_item(tenant, owner, sku="N-2", gross_weight="1.5")  # under 2 g: recorded as exempt for it
    make_item(tenant, owner, sku="K-1", hallmark_status="exempt", exemption="kundan_polki_jadau")
    make_item(tenant, owner, sku="K-2", hallmark_status="exempt", exemption="kundan_polki_jadau")
    make_item(tenant, owner, sku="U-1", gross_weight="1", hallmark_status="exempt", exemption="under_2g")
    compliance = owner_client.get(reverse("inventory:compliance")).context["compliance"]
    assert [i.sku for i in compliance["missing_huid"]] == ["N-1"]
    assert [(e["reason"], e["count"]) for e in compliance["exempt_by_reason"]] == [
        ("under_2g", 2),
        ("kundan_polki_jadau", 2),
    ]


def test_dashboard_shows_stock_value_and_compliance(owner_client, tenant, owner):
    MetalRateFactory(tenant=tenant, actor=owner, rate_per_gram="6000")
    make_item(tenant, owner, gross_weight="10")
    make_item(tenant, owner, gross_weight="5", huid="RSV001", stock_status="reserved")
    make_item(tenant, owner, gross_weight="50", huid="GONE01", stock_status="sold")
    response = owner_client.get(reverse("tenants:dashboard"))
    html = response.content.decode()
    assert response.context["valuation"]["total"] == Decimal("90000.00")
    assert "₹90,000.00" in html and "Stock in hand" in html
    assert response.context["compliance"]["missing_huid_count"] == 1


def test_personal_workspace_has_no_stock_pages_in_nav(make_client, owner):
    from apps.tenants.services import tenant_create

    workspace = tenant_create(owner=owner, kind="personal", name="Side project")
    html = make_client(owner, workspace).get(reverse("tenants:dashboard")).content.decode()
    assert "Stock &amp; HUID" not in html and "Stock in hand" not in html
