"""`make run` loads the demo data on every start: the second run must find it all and change nothing."""

from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from apps.accounts.models import User
from apps.demo.management.commands.demo_seed import BUILDER, DEMO_PASSWORD, OWNER, STAFF, SUPERADMIN
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
    # Seeded as the site does it: the shop's certificate uploaded, its GSTIN verified by the super admin.
    assert shop.gstin_status == Tenant.GstinStatus.VERIFIED and shop.gstin_verified_by.email == SUPERADMIN

    call_command("demo_seed", quiet=True)

    assert _every_row() == first  # not one row added, removed or changed (passwords and audit trail too)
    for email in (SUPERADMIN, OWNER, STAFF, BUILDER):
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD), email


def test_seed_prints_the_address_it_is_given_not_port_8000():
    out = StringIO()
    call_command("demo_seed", url="http://127.0.0.1:8123/", stdout=out)
    printed = out.getvalue()
    assert "Open          http://127.0.0.1:8123/\n" in printed
    assert "(http://127.0.0.1:8123/admin/)" in printed
    assert ":8000" not in printed


def test_seed_prints_the_site_url_by_default(settings):
    settings.SITE_URL = "http://127.0.0.1:8124"
    out = StringIO()
    call_command("demo_seed", stdout=out)
    assert "Open          http://127.0.0.1:8124/\n" in out.getvalue()


def test_make_seed_passes_the_port_it_serves_on():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert "demo_seed --url http://127.0.0.1:$(PORT)" in makefile
