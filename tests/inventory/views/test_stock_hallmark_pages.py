"""What a shop sees on the article, its form and its batch: no "None", HUIDs of articles at the centre come
only from their batch, a batch counts what it lists, "Add and start another" and the HUID search hint."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.inventory.models import HallmarkBatch, StockItem
from apps.inventory.services import hallmark_batch_receive, stock_item_update
from tests.api_helpers import ApiClient, make_key
from tests.inventory.factories import HallmarkBatchFactory, StockItemFactory, gold, item_post, silver

pytestmark = pytest.mark.django_db

AT_CENTRE_REFUSAL = (
    "This article is at the hallmarking centre with batch REQ-9: its HUID is entered when the batch is "
    "received, on the batch's page."
)


def test_an_article_with_every_optional_value_empty_shows_no_none(owner_client, tenant, owner):
    item = StockItemFactory(tenant=tenant, actor=owner, sku="E-1", purity=silver(), gross_weight="8")
    assert (item.huid, item.stone_weight, item.stone_value, item.hallmark_batch_id) == ("", 0, 0, None)
    for page in ("inventory:stock_detail", "inventory:stock_edit"):
        html = owner_client.get(reverse(page, args=[item.pk])).content.decode()
        assert not re.search(r">\s*None\s*<|\bNone\b", html), page
    html = owner_client.get(reverse("inventory:stock_detail", args=[item.pk])).content.decode()
    assert "Not hallmarked yet" in html and "No stones" in html


def at_centre(tenant, owner, n=1) -> tuple[HallmarkBatch, list[StockItem]]:
    items = [StockItemFactory(tenant=tenant, actor=owner, sku=f"C-{i}") for i in range(n)]
    batch = HallmarkBatchFactory(tenant=tenant, actor=owner, items=items, request_number="REQ-9")
    return batch, items


def test_the_edit_page_of_an_article_at_the_centre_locks_its_huid(owner_client, tenant, owner):
    batch, [item] = at_centre(tenant, owner)
    url = reverse("inventory:stock_edit", args=[item.pk])
    html = owner_client.get(url).content.decode()
    assert re.search(r'<input[^>]*name="huid"[^>]*disabled', html)
    assert re.search(r'<select[^>]*name="hallmark_status"[^>]*disabled', html)
    assert "Its HUID comes from receiving the batch" in html
    assert reverse("inventory:batch_detail", args=[batch.pk]) in html

    # A HUID sent anyway (an old page, a hand-made request) is not taken; the rest of the edit is.
    post = item_post(name="Renamed chain", sku=item.sku, huid="HAND01", hallmark_status="hallmarked")
    response = owner_client.post(url, post)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.huid, item.hallmark_status) == ("Renamed chain", "", "at_centre")


def test_the_service_and_the_api_refuse_a_huid_by_hand_for_an_article_at_the_centre(tenant, owner):
    batch, [item] = at_centre(tenant, owner)
    with pytest.raises(ValidationError) as caught:
        stock_item_update(tenant=tenant, actor=owner, item=item, huid="HAND01")
    assert caught.value.message_dict == {"huid": [AT_CENTRE_REFUSAL]}
    api = ApiClient(make_key(tenant, owner))
    response = api.patch(f"/api/v1/stock-items/{item.pk}", {"huid": "HAND01"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"huid": [AT_CENTRE_REFUSAL]}
    response = api.patch(f"/api/v1/stock-items/{item.pk}", {"hallmark_status": "pending"})
    assert response.status_code == 400 and "hallmark status changes when" in str(response.json())
    item.refresh_from_db()
    assert (item.huid, item.hallmark_status) == ("", "at_centre")

    # Receiving the batch is how it gets one; after that it is an article like any other.
    hallmark_batch_receive(
        tenant=tenant, actor=owner, batch=batch, received_on=batch.sent_on, huids={item.pk: "ctr001"}
    )
    item.refresh_from_db()
    assert (item.huid, item.hallmark_status) == ("CTR001", "hallmarked")
    item = stock_item_update(tenant=tenant, actor=owner, item=item, huid="CTR002")
    assert item.huid == "CTR002"


def test_an_article_set_at_the_centre_by_hand_without_a_batch_still_takes_a_huid(tenant, owner):
    item = StockItemFactory(tenant=tenant, actor=owner, hallmark_status="at_centre")
    assert stock_item_update(tenant=tenant, actor=owner, item=item, huid="NOB4TC").huid == "NOB4TC"


def test_a_batch_counts_the_articles_it_lists(owner_client, tenant, owner):
    batch, items = at_centre(tenant, owner, n=4)
    # An article hallmarked by hand before that was refused: the batch still holds it.
    StockItem.objects.filter(pk=items[0].pk).update(huid="OLD001", hallmark_status="hallmarked")

    response = owner_client.get(reverse("inventory:batch_detail", args=[batch.pk]))
    html = response.content.decode()
    rows = response.context["receive_form"].rows()
    assert [item.sku for item, _box in rows] == ["C-0", "C-1", "C-2", "C-3"]
    assert [box is not None for _item, box in rows] == [False, True, True, True]
    assert re.search(r"<dt>Articles</dt><dd>4</dd>", html)
    assert "OLD001" in html and "no longer at the centre" in html
    listed = owner_client.get(reverse("inventory:batch_list")).context["page"].object_list
    assert [b.item_count for b in listed] == [4]


@pytest.mark.parametrize("button", [{"add_another": "1"}, {}])
def test_add_and_start_another_keeps_purity_category_and_making_charge_type(owner_client, tenant, button):
    post = item_post(category="ring", making_charge_type="flat", huid="AS1234", sku="KEEP-1", **button)
    response = owner_client.post(reverse("inventory:stock_create"), post)
    assert response.status_code == 302
    if not button:
        assert response["Location"] == reverse(
            "inventory:stock_detail", args=[StockItem.objects.get(sku="KEEP-1").pk]
        )
        return
    location = urlsplit(response["Location"])
    assert location.path == reverse("inventory:stock_create")
    assert parse_qs(location.query) == {
        "purity": [str(gold().pk)],
        "category": ["ring"],
        "making_charge_type": ["flat"],
    }
    form = owner_client.get(response["Location"]).context["form"]
    assert {name: form[name].value() for name in ("purity", "category", "making_charge_type")} == {
        "purity": str(gold().pk),
        "category": "ring",
        "making_charge_type": "flat",
    }
    assert form["gross_weight"].value() is None and form["huid"].value() is None
    assert form["sku"].value() is None and form["stone_weight"].value() == "0.000"


def test_values_carried_in_the_address_that_are_not_choices_are_ignored(owner_client, tenant):
    form = owner_client.get(
        reverse("inventory:stock_create"),
        {"purity": "999999", "category": "crown", "making_charge_type": "x"},
    ).context["form"]
    assert form["purity"].value() is None and form["category"].value() is None
    assert form["making_charge_type"].value() is None


@pytest.mark.parametrize(
    ("q", "hint"),
    [("AB12", True), ("ab12c", True), ("7", True), ("AB12CD", False), ("ring", False), ("R-1", False)],
)
def test_a_partial_huid_search_says_a_huid_is_searched_whole(owner_client, tenant, owner, q, hint):
    StockItemFactory(tenant=tenant, actor=owner, sku="H-1", huid="AB12CD")
    response = owner_client.get(reverse("inventory:stock_list"), {"q": q}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert ("A HUID is searched whole: type all 6 characters." in html) is hint
    found = [item.sku for item, _value in response.context["rows"]]
    assert found == (["H-1"] if q == "AB12CD" else [])
