"""The schema's two forms, and JSON nested too deeply to parse: a 400 with a message on every endpoint."""

import json
import re

import pytest
import yaml

pytestmark = pytest.mark.django_db

DEEP = "[" * 10_000 + "]" * 10_000


def test_openapi_json_is_json_and_api_schema_stays_yaml(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert "json" in response["Content-Type"]
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.") and "/api/v1/stock-items" in schema["paths"]

    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert "yaml" in response["Content-Type"] or "openapi" in response["Content-Type"]
    assert yaml.safe_load(response.content)["paths"] == schema["paths"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_deeply_nested_json_is_a_400_with_a_message(api, tenant):
    response = api.post("/api/v1/stock-items", DEEP, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error" and "nested too deeply" in body["message"]
    assert body["fields"] == {}


def test_deeply_nested_json_never_gives_a_500_on_any_endpoint(client, api):
    """Every operation that takes a body, as the schema lists it, with ids that exist or not."""
    schema = json.loads(client.get("/openapi.json").content)
    sent = 0
    for path, operations in schema["paths"].items():
        for method in {"post", "put", "patch"} & set(operations):
            url = re.sub(r"\{[^}]+\}", "1", path)
            response = getattr(api, method)(url, DEEP, content_type="application/json")
            assert response.status_code < 500, (method, path, response.content[:300])
            if response.status_code == 400:
                assert "nested too deeply" in response.json()["message"], (method, path)
            sent += 1
    assert sent > 10
