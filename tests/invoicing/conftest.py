from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.inventory import services as inventory_services
from apps.inventory.models import Purity
from apps.invoicing import services
from apps.tenants.services import tenant_gst_settings_update, tenant_update
from tests.gst.fake_irp import FakeIrp
from tests.tenants.factories import gstin_for, gstin_verified

SHOP_ADDRESS = "12 Zaveri Bazaar, Mumbai 400002"


@pytest.fixture
def shop(tenant, owner):
    """Shop A, registered in Maharashtra (27) with its GSTIN verified, with today's 22K rate of ₹6,500 a gram."""
    tenant = tenant_update(
        tenant=tenant,
        actor=owner,
        name=tenant.name,
        state_code="27",
        gstin=gstin_for("27"),
        address=SHOP_ADDRESS,
    )
    tenant = gstin_verified(tenant)
    inventory_services.metal_rate_set(
        tenant=tenant,
        actor=owner,
        purity=Purity.objects.get(metal="gold", fineness=916),
        rate_per_gram="6500",
    )
    return tenant


@pytest.fixture
def other_shop(other_tenant, other_owner):
    shop = tenant_update(
        tenant=other_tenant,
        actor=other_owner,
        name=other_tenant.name,
        state_code="33",
        gstin=gstin_for("33", pan="AAACB1234C"),
        address="1 Car Street, Chennai",
    )
    return gstin_verified(shop)


@pytest.fixture
def buyer(shop, owner):
    """A walk-in buyer with name, address and state (Rule 46(e)) but no PAN."""
    return services.customer_create(
        tenant=shop, actor=owner, name="Meera Shah", phone="98200 12345", address="4 Hill Road, Mumbai",
        state_code="27",
    )  # fmt: skip


def article(tenant, actor, **values):
    """A 22K ring of 10 g gross, 0.5 g stones, making ₹500 a gram, hallmarked, unless told otherwise."""
    defaults = {
        "name": "Lakshmi ring",
        "category": "ring",
        "purity": Purity.objects.get(metal="gold", fineness=916),
        "gross_weight": "10.000",
        "stone_weight": "0.500",
        "making_charge_type": "per_gram",
        "making_charge_value": "500",
        "stone_value": "1200",
        "hallmark_status": "hallmarked",
        "huid": None,
    }
    defaults.update(values)
    if defaults["huid"] is None:
        defaults["huid"] = f"A{article.counter:05d}"
        article.counter += 1
    return inventory_services.stock_item_create(tenant=tenant, actor=actor, **defaults)


article.counter = 1


def draft_with(tenant, actor, *items, customer=None):
    invoice = services.invoice_draft_create(tenant=tenant, actor=actor, customer=customer)
    for item in items:
        services.invoice_line_add_article(tenant=tenant, actor=actor, invoice=invoice, item=item)
    return invoice


RING_TAXABLE = (
    Decimal("61750.00") + Decimal("4750.00") + Decimal("1200.00")
)  # 9.5 g x 6500, making 9.5 x 500, stones


# --- e-invoices --------------------------------------------------------------------------------------

TRADER_GSTIN = gstin_for("27", pan="AAACM1234K")


@pytest.fixture
def einvoicing(shop, owner):
    """Shop A e-invoices from 60 days ago (turnover above ₹5 crore, under ₹10 crore)."""
    tenant_gst_settings_update(
        tenant=shop, actor=owner, gstr1_frequency="monthly",
        einvoice_from=timezone.localdate() - timedelta(days=60), turnover_ten_crore=False,
    )  # fmt: skip
    shop.refresh_from_db()
    return shop


@pytest.fixture
def trader(shop, owner):
    """A GST-registered buyer in Mumbai, with the PIN code in its own field."""
    return services.customer_create(
        tenant=shop, actor=owner, kind="registered", name="Meera Gems Pvt Ltd", gstin=TRADER_GSTIN,
        state_code="27", address="4 Hill Road, Bandra West, Mumbai", pincode="400050",
    )  # fmt: skip


def b2b_sale(shop, owner, customer, *, hsn="711319"):
    """An issued B2B invoice: a 22K ring (HSN `hsn`) and a chain repair (SAC 998729)."""
    invoice = draft_with(shop, owner, article(shop, owner, hsn_code=hsn), customer=customer)
    services.invoice_line_add_free(
        tenant=shop,
        actor=owner,
        invoice=invoice,
        description="Chain repair",
        hsn_code="998729",
        amount="1000",
    )
    return services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)


def b2b_sale_declared_late(shop, owner, customer, *, hsn: str):
    """An invoice issued while the shop had not yet set its e-invoicing day (a 4-digit HSN was then
    allowed), which the day, set later and back-dated, brings into e-invoicing."""
    einvoice_from, ten_crore = shop.einvoice_from, shop.turnover_ten_crore
    tenant_gst_settings_update(
        tenant=shop, actor=owner, gstr1_frequency=shop.gstr1_frequency, einvoice_from=None,
        turnover_ten_crore=False,
    )  # fmt: skip
    shop.refresh_from_db()
    invoice = b2b_sale(shop, owner, customer, hsn=hsn)
    tenant_gst_settings_update(
        tenant=shop, actor=owner, gstr1_frequency=shop.gstr1_frequency, einvoice_from=einvoice_from,
        turnover_ten_crore=ten_crore,
    )  # fmt: skip
    shop.refresh_from_db()
    return invoice


@pytest.fixture
def b2b_invoice(einvoicing, owner, trader):
    return b2b_sale(einvoicing, owner, trader)


def answer_for(shop, document, irp=None) -> dict:
    """The IRP's answer for the document, as its answer file lists it."""
    payload = services.einvoice_document_payload(tenant=shop, document=document)
    return (irp or FakeIrp()).answer_for(payload)
