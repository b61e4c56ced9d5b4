"""`ModelRow`: instances read by one hand-written statement are the ORM's, field for field."""

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.models import User
from apps.core.db.rows import ModelRow
from apps.core.models import IdempotencyKey
from apps.tenants.models import ApiKey, Tenant
from tests.api_helpers import make_key

pytestmark = pytest.mark.django_db

ROW = ModelRow((ApiKey, "k"), (Tenant, "t"), (User, "u"))


def _read(key_id: int) -> list:
    sql = (
        f"SELECT {ROW.select_list()} FROM tenants_apikey k JOIN tenants_tenant t ON t.id = k.tenant_id "  # noqa: S608
        "LEFT JOIN accounts_user u ON u.id = k.created_by_id WHERE k.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key_id])
        return ROW.instances(cursor.fetchone())


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_each_model_comes_back_as_the_orm_reads_it(tenant, owner, other_tenant, other_owner):
    make_key(other_tenant, other_owner, "owner")
    make_key(tenant, owner, "admin")
    key = ApiKey.objects.get(tenant=tenant)

    read_key, read_tenant, read_user = _read(key.pk)

    assert _fields(read_key) == _fields(key)
    assert _fields(read_tenant) == _fields(Tenant.objects.get(pk=tenant.pk))
    assert _fields(read_user) == _fields(User.objects.get(pk=owner.pk))
    assert not read_key._state.adding and read_key._state.db == "default"  # saved as an update, not an insert
    assert ROW.width == sum(len(m._meta.concrete_fields) for m in (ApiKey, Tenant, User))


def test_the_missing_side_of_a_left_join_is_none(tenant, owner):
    make_key(tenant, owner, "owner")
    key = ApiKey.objects.get()
    ApiKey.objects.filter(pk=key.pk).update(created_by=None)

    read_key, read_tenant, read_user = _read(key.pk)

    assert read_key.created_by_id is None and read_tenant.pk == tenant.pk and read_user is None


def test_values_are_converted_as_the_orm_converts_them(tenant):
    # A JSON column comes back from the driver as text that its field's converter parses.
    record = IdempotencyKey.objects.create(
        tenant=tenant, caller="user:1", key="k1", fingerprint="f" * 64, response_status=201, expires_at=timezone.now(),
        response_body={"amount": "12.50", "lines": [1, 2]},
    )  # fmt: skip
    row = ModelRow((IdempotencyKey, "i"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {row.select_list()} FROM core_idempotencykey i WHERE i.id = %s", [record.pk])  # noqa: S608
        (read,) = row.instances(cursor.fetchone())

    assert read.response_body == {"amount": "12.50", "lines": [1, 2]}
    assert _fields(read) == _fields(IdempotencyKey.objects.get(pk=record.pk))
