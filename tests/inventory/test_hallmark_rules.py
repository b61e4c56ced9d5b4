"""BIS rules kept as data: the gold grades a new installation starts with, and when a registration
counts as expiring (60 days ahead, inclusive)."""

from datetime import date, timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps

from apps.inventory.models import Purity
from apps.inventory.selectors import bis_compliance

pytestmark = pytest.mark.django_db

# IS 1417: the hallmarkable gold grades, caratage to fineness (parts per thousand).
BIS_GOLD_GRADES = {"24K": 999, "23K": 958, "22K": 916, "20K": 833, "18K": 750, "14K": 585, "9K": 375}


def test_a_new_installation_is_seeded_with_the_bis_gold_grades():
    Purity.objects.all().delete()

    import_module("apps.inventory.migrations.0002_seed_purities").seed(django_apps, None)

    gold = dict(Purity.objects.filter(metal="gold").values_list("karat", "fineness"))
    assert gold == BIS_GOLD_GRADES


@pytest.mark.parametrize(
    ("days_left", "registration"),
    [(-1, "expired"), (0, "expiring"), (60, "expiring"), (61, "valid")],
)
def test_a_registration_is_expiring_from_60_days_before_its_end(tenant, days_left, registration):
    today = date(2026, 11, 30)
    tenant.bis_registration_number = "HM/C-5190012345"
    tenant.bis_registration_valid_until = today + timedelta(days=days_left)
    tenant.save(update_fields=["bis_registration_number", "bis_registration_valid_until"])

    status = bis_compliance(tenant=tenant, today=today, sample=0)

    assert status["registration"] == registration
    assert status["registration_days_left"] == days_left
