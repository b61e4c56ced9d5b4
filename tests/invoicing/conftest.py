from decimal import Decimal

import pytest

from apps.inventory import services as inventory_services
from apps.inventory.models import Purity
from apps.invoicing import services
from apps.tenants.services import tenant_update
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
