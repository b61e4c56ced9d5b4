"""Figures that add up many rows (latest rates, valuation, BIS compliance, dashboard, stock totals)
give a shop exactly what it would see alone, however much another shop holds and however new its rates."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.inventory import selectors
from apps.inventory.models import Purity
from apps.inventory.services import hallmark_batch_send, metal_rate_set, stock_item_create
from tests.conftest import add_member, login

pytestmark = pytest.mark.django_db


def _plain(value):
    """Rows become (model, id) and numbers and dates text, so two readings compare by value."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Model):
        return (value._meta.label, value.pk)
    if isinstance(value, Decimal | date):
        return str(value)
    return value


def _stock(tenant, owner, *, rate_22k: str, rate_on: date, prefix: str):
    """Stock in hand of two purities, one article at the hallmarking centre, and a 22K rate."""
    k22, k18 = Purity.objects.get(karat="22K"), Purity.objects.get(karat="18K")
    for grams in ("3", "5.5"):
        stock_item_create(tenant=tenant, actor=owner, name=f"{prefix} chain", purity=k22, gross_weight=grams)
    stock_item_create(tenant=tenant, actor=owner, name=f"{prefix} ring", purity=k18, gross_weight="2.2")
    sent = stock_item_create(
        tenant=tenant, actor=owner, name=f"{prefix} bangle", purity=k22, gross_weight="9"
    )
    hallmark_batch_send(
        tenant=tenant, actor=owner, centre_name="AHC", request_number=f"{prefix}-1",
        sent_on=timezone.localdate() - timedelta(days=3), item_ids=[sent.pk],
    )  # fmt: skip
    metal_rate_set(tenant=tenant, actor=owner, purity=k22, rate_per_gram=rate_22k, effective_on=rate_on)


def _figures(tenant) -> dict:
    rates = selectors.metal_rate_latest(tenant=tenant)
    return _plain(
        {
            "latest rates": {pk: (rate.effective_on, rate.rate_per_gram) for pk, rate in rates.items()},
            "valuation": selectors.stock_valuation(tenant=tenant),
            "rate missing today": selectors.metal_rate_missing_today(tenant=tenant),
            "compliance": selectors.bis_compliance(tenant=tenant, sample=5),
        }
    )


def _pages(tenant, owner) -> dict:
    client = login(Client(), owner, tenant)
    dashboard = client.get(reverse("tenants:dashboard")).context
    stock = client.get(reverse("inventory:stock_list")).context
    return _plain(
        {
            "dashboard": {
                k: dashboard[k] for k in ("member_count", "valuation", "rate_missing", "compliance")
            },
            "stock totals": stock["valuation"],
            "stock rows": [(item.pk, value) for item, value in stock["rows"]],
            "rate missing on stock page": stock["rate_missing"],
        }
    )


def test_another_shops_stock_and_newer_rates_leave_this_shops_figures_as_they_are_alone(
    tenant, owner, other_tenant, other_owner
):
    yesterday = timezone.localdate() - timedelta(days=1)
    _stock(tenant, owner, rate_22k="6500.00", rate_on=yesterday, prefix="A")
    alone, alone_pages = _figures(tenant), _pages(tenant, owner)
    assert alone["valuation"]["total"] != "0.00", "this shop's stock must be valued to compare anything"

    # The other shop holds more of everything, with a newer 22K rate and an 18K rate this shop lacks.
    _stock(other_tenant, other_owner, rate_22k="7100.00", rate_on=timezone.localdate(), prefix="B")
    metal_rate_set(tenant=other_tenant, actor=other_owner, purity=Purity.objects.get(karat="18K"),
                   rate_per_gram="5200.00")  # fmt: skip
    add_member(other_tenant, "staff")

    assert _figures(tenant) == alone
    assert _pages(tenant, owner) == alone_pages
