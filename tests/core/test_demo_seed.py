"""`make run` loads the demo data on every start: the second run must find it all and change nothing."""

import pytest
from django.apps import apps
from django.core.management import call_command

from apps.accounts.models import User
from apps.core.management.commands.demo_seed import BUILDER, DEMO_PASSWORD, OWNER, STAFF, SUPERADMIN
from apps.inventory.models import HallmarkBatch, MetalRate, StockItem
from apps.tenants.models import Membership, Tenant

pytestmark = pytest.mark.django_db


def _every_row() -> dict[str, list[dict]]:
    """Every row of every table of ours, field by field."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model.__module__.startswith("apps.")
    }


def test_seeding_twice_changes_nothing_the_second_time():
    call_command("demo_seed", quiet=True)
    first = _every_row()
    shop = Tenant.objects.get(slug="lakshmi-jewellers")
    assert StockItem.objects.for_tenant(shop).count() == 37
    assert MetalRate.objects.for_tenant(shop).exists() and HallmarkBatch.objects.for_tenant(shop).exists()
    assert Membership.objects.filter(tenant=shop).count() == 2
    assert Tenant.objects.filter(kind=Tenant.Kind.PERSONAL).count() == 2

    call_command("demo_seed", quiet=True)

    assert _every_row() == first  # not one row added, removed or changed (passwords and audit trail too)
    for email in (SUPERADMIN, OWNER, STAFF, BUILDER):
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD), email
