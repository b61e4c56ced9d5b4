"""`model_update`: set, validate, save only what changed."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.services import model_update
from apps.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_only_the_changed_fields_are_saved_and_named(tenant):
    stamp = tenant.updated_at
    with CaptureQueriesContext(connection) as queries:
        tenant, changed = model_update(
            instance=tenant,
            fields=["name", "address"],
            data={"name": "Shop A Gold", "address": tenant.address},
        )
    assert changed == ["name"]
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(writes) == 1
    assert '"name" =' in writes[0] and '"updated_at" =' in writes[0] and '"address"' not in writes[0]
    fresh = Tenant.objects.get(pk=tenant.pk)
    assert fresh.name == "Shop A Gold" and fresh.updated_at > stamp


def test_nothing_changed_writes_nothing(tenant, django_assert_num_queries):
    with django_assert_num_queries(0):
        _, changed = model_update(instance=tenant, fields=["name"], data={"name": tenant.name, "slug": "x"})
    assert changed == []


def test_a_field_rule_of_the_model_refuses_and_nothing_is_saved(tenant):
    with pytest.raises(ValidationError) as caught:
        model_update(instance=tenant, fields=["gstin"], data={"gstin": "27AAPFU0939F1ZX"})
    assert "gstin" in caught.value.message_dict
    assert Tenant.objects.get(pk=tenant.pk).gstin == ""
