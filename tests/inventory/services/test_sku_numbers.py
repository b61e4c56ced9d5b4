"""SKUs for articles added without one (`services/sku_numbers.py`): the shop's prefix and next number, on
the add form, through the API and in an import; a number already typed as a SKU is passed over."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.inventory.models import StockItem
from apps.inventory.services import sku_foresee, stock_import_run, stock_item_create
from apps.tenants.models import Tenant
from tests.api_helpers import ApiClient, make_key
from tests.inventory.factories import gold, item_post
from tests.inventory.imports.rows import check

pytestmark = pytest.mark.django_db


def numbering(tenant, prefix="LJ-", next_number=1, digits=4) -> Tenant:
    Tenant.objects.filter(pk=tenant.pk).update(
        sku_prefix=prefix, sku_next_number=next_number, sku_digits=digits
    )
    tenant.refresh_from_db()
    return tenant


def add(tenant, owner, **values) -> StockItem:
    return stock_item_create(
        tenant=tenant, actor=owner, name="Ring", purity=gold(), gross_weight="4", **values
    )


def next_number(tenant) -> int:
    return Tenant.objects.values_list("sku_next_number", flat=True).get(pk=tenant.pk)


def test_a_shop_starts_at_tj_0001_and_counts_on(tenant, owner):
    assert (tenant.sku_prefix, tenant.sku_next_number, tenant.sku_digits) == ("TJ-", 1, 4)
    assert [add(tenant, owner).sku for _ in range(3)] == ["TJ-0001", "TJ-0002", "TJ-0003"]
    assert next_number(tenant) == 4


def test_the_shops_prefix_next_number_and_padding_are_used(tenant, owner):
    numbering(tenant, prefix="MUM/", next_number=42, digits=6)
    assert add(tenant, owner).sku == "MUM/000042"
    numbering(tenant, prefix="", next_number=7, digits=1)
    assert add(tenant, owner).sku == "7"


def test_a_typed_sku_keeps_the_counter_where_it_is(tenant, owner):
    numbering(tenant)
    assert add(tenant, owner, sku="R-100").sku == "R-100"
    assert next_number(tenant) == 1


def test_a_number_already_typed_as_a_sku_is_passed_over(tenant, owner):
    numbering(tenant)
    add(tenant, owner, sku="LJ-0001")
    add(tenant, owner, sku="LJ-0002")
    assert add(tenant, owner).sku == "LJ-0003"
    assert next_number(tenant) == 4


def test_a_refused_article_uses_up_no_number(tenant, owner):
    numbering(tenant)
    with pytest.raises(ValidationError):
        add(tenant, owner, stone_weight="9")  # heavier than the article
    with pytest.raises(ValidationError):
        add(tenant, owner, huid="AB12CD", hallmark_status="exempt", exemption="kundan_polki_jadau")
    assert next_number(tenant) == 1
    assert add(tenant, owner).sku == "LJ-0001"


def test_each_shop_counts_its_own_numbers(tenant, owner, other_tenant, other_owner):
    numbering(tenant)
    numbering(other_tenant, prefix="SB-")
    assert add(tenant, owner).sku == "LJ-0001"
    assert add(other_tenant, other_owner).sku == "SB-0001"
    assert add(tenant, owner).sku == "LJ-0002"


def test_the_add_form_names_the_next_sku_and_uses_it(owner_client, tenant):
    numbering(tenant, next_number=17)
    assert sku_foresee(tenant=tenant) == "LJ-0017"
    page = owner_client.get(reverse("inventory:stock_create")).content.decode()
    assert "Leave blank for the shop&#x27;s next number, LJ-0017." in page
    assert next_number(tenant) == 17  # showing it takes nothing
    owner_client.post(reverse("inventory:stock_create"), item_post())
    assert StockItem.objects.for_tenant(tenant).get().sku == "LJ-0017"


def test_the_api_numbers_an_article_sent_without_a_sku(tenant, owner):
    numbering(tenant, next_number=5)
    api = ApiClient(make_key(tenant, owner))
    response = api.post(
        "/api/v1/stock-items", {"name": "Band", "purity": gold().pk, "gross_weight": "6", "sku": ""}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["sku"] == "LJ-0005"


def test_an_import_check_foresees_numbers_and_its_run_takes_them(tenant, owner, imports_in_tmp):
    numbering(tenant)
    add(tenant, owner, sku="LJ-0002")
    stock_import = check(tenant, owner, [{}, {"sku": "R-9"}, {}, {}])
    assert stock_import.rows_new == 4
    assert next_number(tenant) == 1  # a check writes nothing, the counter neither
    stock_import_run(tenant=tenant, actor=owner, stock_import=stock_import)
    skus = set(StockItem.objects.for_tenant(tenant).values_list("sku", flat=True))
    assert skus == {"LJ-0001", "LJ-0002", "LJ-0003", "LJ-0004", "R-9"}
    assert next_number(tenant) == 5
