"""No text input takes control characters: pages, the API (key or session), query filters, any form.

PostgreSQL refuses NUL in text, so a NUL that got past the checks was a 500 there (and stored on
SQLite); the other C0 controls and DEL are refused with it. Multi-line text keeps its line breaks.
"""

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from apps.audit.models import AuditEvent
from apps.inventory.models import Purity, StockItem
from apps.tenants.models import Tenant
from tests.conftest import login
from tests.inventory.factories import item_post

pytestmark = pytest.mark.django_db

CONTROLS = ["\x00", "\x01", "\x08", "\x1b", "\x7f", "\t", "\n"]


def p22() -> Purity:
    return Purity.objects.get(metal="gold", karat="22K")


@pytest.mark.parametrize("char", CONTROLS, ids=repr)
def test_the_article_page_refuses_a_control_character_under_its_field(owner_client, tenant, char):
    response = owner_client.post(reverse("inventory:stock_create"), item_post(name=f"Temple{char}necklace"))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == ["name"]
    assert "control character" in errors["name"][0] or "one line" in errors["name"][0]
    assert not StockItem.objects.for_tenant(tenant).exists()


@pytest.fixture(params=["api_key", "session"])
def api_client(request, tenant, owner, client):
    """The API as an integration (Bearer key) and as the browser (session) reach it."""
    if request.param == "api_key":
        from tests.api_helpers import ApiClient, make_key

        return ApiClient(make_key(tenant, owner, "owner"))
    login(client, owner, tenant)
    client.defaults["CONTENT_TYPE"] = "application/json"
    return client


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\r"], ids=repr)
@pytest.mark.parametrize("field", ["name", "sku", "hsn_code", "huid", "gross_weight"])
def test_the_api_refuses_a_control_character_by_field(api_client, tenant, char, field):
    body = {"name": "Haar", "purity": p22().pk, "gross_weight": "12.5", field: f"AB{char}12"}
    events = AuditEvent.objects.for_tenant(tenant).count()
    response = api_client.post("/api/v1/stock-items", body, content_type="application/json")
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["code"] == "invalid" and list(answer["fields"]) == [field]
    assert "control character" in answer["fields"][field][0] or "one line" in answer["fields"][field][0]
    assert not StockItem.objects.for_tenant(tenant).exists()
    assert AuditEvent.objects.for_tenant(tenant).count() == events


def test_a_list_of_texts_is_checked_item_by_item(api, tenant, owner):
    from apps.inventory.services import hallmark_batch_send, stock_item_create

    item = stock_item_create(tenant=tenant, actor=owner, name="Ring", purity=p22(), gross_weight="5")
    batch = hallmark_batch_send(
        tenant=tenant, actor=owner, centre_name="AHC", request_number="R-1", sent_on=timezone.localdate(),
        item_ids=[item.pk],
    )  # fmt: skip
    response = api.post(
        f"/api/v1/hallmark-batches/{batch.pk}/receive",
        {"received_on": str(batch.sent_on), "huids": [{"item": item.pk, "huid": "AB\x0012"}]},
    )
    assert response.status_code == 400, response.content
    assert "control character" in str(response.json()["fields"])
    item.refresh_from_db()
    assert item.huid == "" and item.hallmark_status == "at_centre"


@pytest.mark.parametrize("path", ["/api/v1/stock-items", "/api/v1/audit-events"])
def test_query_filters_refuse_control_characters(api, path):
    response = api.get(path, {"q": "gold\x1b[31m"})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["q"]


def test_multi_line_text_keeps_line_breaks_on_the_page_and_the_api(owner_client, api, tenant):
    page = reverse("tenants:settings_profile")
    response = owner_client.post(
        page, {"name": tenant.name, "state_code": "27", "address": "12 MG Road\r\nPune\t411001"}
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.address == "12 MG Road\r\nPune\t411001"

    response = owner_client.post(
        page, {"name": tenant.name, "state_code": "27", "address": "12 MG Road\x07\nPune"}
    )
    assert response.status_code == 422
    assert "U+0007" in response.context["form"].errors["address"][0]

    assert api.patch("/api/v1/tenant", {"address": "1 Anna Salai\nChennai"}).status_code == 200
    response = api.patch("/api/v1/tenant", {"address": "1 Anna Salai\x00\nChennai"})
    assert response.status_code == 400 and list(response.json()["fields"]) == ["address"]
    assert Tenant.objects.get(pk=tenant.pk).address == "1 Anna Salai\nChennai"


def test_every_form_and_serializer_char_field_checks_text_even_those_written_later():
    class LaterForm(forms.Form):
        note = forms.CharField()
        email = forms.EmailField()
        story = forms.CharField(widget=forms.Textarea)

    form = LaterForm({"note": "a\x1bb", "email": "a@b.in", "story": "one\x0ctwo\nthree"})
    assert not form.is_valid() and set(form.errors) == {"note", "story"}

    class LaterSerializer(serializers.Serializer):
        note = serializers.CharField()
        tags = serializers.ListField(child=serializers.SlugField())

    data = LaterSerializer(data={"note": "a\x00b", "tags": ["ok", "x\x7f"]})
    assert not data.is_valid() and set(data.errors) == {"note", "tags"}
    assert "U+0000 (NUL)" in str(data.errors["note"][0])


def test_printable_unicode_is_untouched(api, tenant):
    response = api.post(
        "/api/v1/stock-items", {"name": "सोने का हार ₹ தங்க", "purity": p22().pk, "gross_weight": "12.5"}
    )
    assert response.status_code == 201, response.json()
    assert StockItem.objects.for_tenant(tenant).get().name == "सोने का हार ₹ தங்க"


@pytest.mark.postgres
def test_a_nul_never_reaches_postgresql_on_any_channel(owner_client, api, tenant, imports_in_tmp):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.inventory.models import StockImport
    from apps.inventory.services import CSV_COLUMNS

    assert owner_client.post(reverse("inventory:stock_create"), item_post(name="A\x00B")).status_code == 422
    body = {"name": "A\x00B", "purity": p22().pk, "gross_weight": "1"}
    assert api.post("/api/v1/stock-items", body).status_code == 400
    assert api.patch("/api/v1/tenant", {"address": "x\x00y"}).status_code == 400
    assert api.get("/api/v1/stock-items", {"q": "\x00"}).status_code == 400
    row = ["", "Chain\x00", "Chain", "22K916", "10", "", "", "", "", "", "", "", "", "", ""]
    data = (",".join(CSV_COLUMNS) + "\r\n" + ",".join(row) + "\r\n").encode()
    upload = SimpleUploadedFile("stock.csv", data, "text/csv")
    response = owner_client.post(reverse("inventory:import"), {"file": upload})
    assert response.status_code == 302
    stock_import = StockImport.objects.for_tenant(tenant).get()
    assert (stock_import.status, stock_import.rows_good) == ("checked", 0)
    assert [(e["row"], e["column"]) for e in stock_import.errors] == [(2, "name")]
    assert not StockItem.objects.for_tenant(tenant).exists()
