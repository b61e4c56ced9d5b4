"""Ids of another tenant inside a request (list filters, request bodies) read exactly like missing ids.

The walk reads the OpenAPI schema: every query parameter or body field that carries an object id
needs a case in tests/<app>/isolation_cases.py (see tests/isolation.py), so a new one cannot skip it.
"""

import importlib
import json
import pkgutil
import re

import pytest
from drf_spectacular.generators import SchemaGenerator

import tests
from apps.audit.models import AuditEvent
from apps.core.api.filters import MAX_ID
from tests.api_helpers import ApiClient, make_key
from tests.isolation import INPUT_CASES, INPUT_EXEMPT, walls_up

for module in pkgutil.walk_packages(tests.__path__, "tests."):
    if module.name.endswith(".isolation_cases"):
        importlib.import_module(module.name)

MISSING_ID = 987_654_321  # no row has it: the answer another tenant's id must look exactly like


def _id_fields(node, components, path=""):
    while "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[-1]]
    if node.get("maximum") == MAX_ID:
        yield path
    for name, child in node.get("properties", {}).items():
        yield from _id_fields(child, components, f"{path}.{name}" if path else name)
    if "items" in node:
        yield from _id_fields(node["items"], components, f"{path}[]")
    for key in ("allOf", "oneOf", "anyOf"):
        for child in node.get(key, []):
            yield from _id_fields(child, components, path)


def _id_inputs() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    found = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            name = operation["operationId"]
            for parameter in operation.get("parameters", []):
                if parameter.get("schema", {}).get("maximum") == MAX_ID and parameter["in"] == "query":
                    found.add(f"{name} query:{parameter['name']}")
            for body in operation.get("requestBody", {}).get("content", {}).values():
                found.update(f"{name} body:{field}" for field in _id_fields(body["schema"], components))
    return found


def test_every_id_in_a_filter_or_body_has_an_isolation_case():
    inputs = _id_inputs()
    assert "hallmark_batches_create body:item_ids[]" in inputs, "the schema walk found no body id"
    missing = sorted(inputs - INPUT_CASES.keys() - INPUT_EXEMPT.keys())
    assert not missing, f"ids in filters or bodies with no input case in isolation_cases.py: {missing}"
    stale = sorted((INPUT_CASES.keys() | INPUT_EXEMPT.keys()) - inputs)
    assert not stale, f"input cases for inputs that no longer exist: {stale}"


def _send(client, probe, pk):
    data = probe.payload(pk)
    if probe.method == "GET":
        return client.get(probe.path, data)
    return getattr(client, probe.method.lower())(probe.path, data, content_type=probe.content_type)


def _seen(response, pk) -> str:
    """The answer with the id itself blanked out, to compare with the answer for a missing id."""
    return re.sub(rf"\b{pk}\b", "<id>", json.dumps(response.json(), sort_keys=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "walls",
    [
        "selectors and row-level security",
        pytest.param("row-level security alone", marks=pytest.mark.postgres),
        pytest.param("selectors alone", marks=pytest.mark.postgres),
    ],
)
@pytest.mark.parametrize("key", sorted(INPUT_CASES))
def test_other_tenants_id_in_a_filter_or_body_reads_as_missing(
    key, walls, tenant, owner, other_tenant, certificates_in_tmp, monkeypatch
):
    probe = INPUT_CASES[key](tenant, other_tenant)
    client = ApiClient(make_key(tenant, owner, "owner"))
    events_before = AuditEvent.objects.count()
    walls_up(walls, monkeypatch)

    theirs = _send(client, probe, probe.other_id)
    missing = _send(client, probe, MISSING_ID)

    assert theirs.status_code in (200, 400, 404), f"{key}: {theirs.status_code} {theirs.content[:300]}"
    assert (theirs.status_code, _seen(theirs, probe.other_id)) == (
        missing.status_code,
        _seen(missing, MISSING_ID),
    )
    if theirs.status_code == 200:
        assert theirs.json()["results"] == [], f"{key} listed another tenant's rows"
    assert AuditEvent.objects.count() == events_before, f"{key} changed something"


# --- the same on pages: form fields and filters that carry ids --------------------------------------


def test_sending_another_shops_article_from_the_batch_page_reads_as_missing(
    owner_client, tenant, owner, other_tenant
):
    from apps.inventory.models import HallmarkBatch, StockItem
    from tests.inventory.isolation_cases import _item

    mine, theirs = _item(tenant, "Our ring"), _item(other_tenant)
    events_before = AuditEvent.objects.count()

    def send(pk):
        form = {"centre_name": "Our AHC", "request_number": "OURS-9", "sent_on": "2026-04-01"}
        response = owner_client.post("/stock/batches/new/", {**form, "item_ids": [mine.pk, pk]})
        errors = json.dumps(response.context["form"].errors.get_json_data(), sort_keys=True)
        return response.status_code, re.sub(rf"\b{pk}\b", "<id>", errors)

    assert send(theirs.pk) == send(MISSING_ID)
    assert send(theirs.pk)[0] == 422
    assert not HallmarkBatch.objects.exists()
    theirs.refresh_from_db()
    assert theirs.hallmark_status == StockItem.HallmarkStatus.PENDING and theirs.hallmark_batch_id is None
    assert AuditEvent.objects.count() == events_before


def test_filtering_the_audit_page_by_another_shops_owner_shows_none_of_their_events(
    make_client, tenant, owner, other_tenant, other_owner
):
    page = make_client(owner, tenant).get("/settings/audit/", {"actor": other_owner.pk}).content.decode()
    assert "Shop B Gold" not in page and other_owner.email not in page
