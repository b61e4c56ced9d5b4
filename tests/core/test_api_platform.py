"""The API's shared behaviour: error shape, throttling, idempotency, the OpenAPI schema and docs."""

import json
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from apps.audit.models import AuditEvent
from apps.core.api.idempotency import _claim, idempotency_keys_purge
from apps.core.models import IdempotencyKey
from apps.core.rls import tenant_scope
from apps.tenants.models import ApiKey, Invitation
from tests.api_helpers import ApiClient, make_key

pytestmark = pytest.mark.django_db


def _shape(response):
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    return body


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, content_type, status, code",
    [
        ("{not json", "application/json", 400, "parse_error"),
        ('["a", "list"]', "application/json", 400, "invalid"),
        ('"just a string"', "application/json", 400, "invalid"),
        ("<xml/>", "application/xml", 415, "unsupported_media_type"),
        ('{"email": 12, "role": "emperor"}', "application/json", 400, "invalid"),
        ('{"email": "' + "a" * 5000 + '@x.in"}', "application/json", 400, "invalid"),
    ],
)
def test_bad_input_gets_4xx_json_never_500(api, raw, content_type, status, code):
    response = api.generic(
        "POST", "/api/v1/members", raw, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {api.secret}"
    )
    assert response.status_code == status
    assert _shape(response)["code"] == code
    assert not Invitation.objects.exists()


def test_invalid_fields_are_named(api):
    body = _shape(api.post("/api/v1/members", {"email": "nope", "role": "emperor"}))
    assert set(body["fields"]) == {"email", "role"}
    assert body["message"].startswith("Invalid input:")


def test_method_not_allowed_is_405_json(api):
    response = api.generic(
        "PUT", "/api/v1/me", "{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api.secret}"
    )
    assert response.status_code == 405 and _shape(response)["code"] == "method_not_allowed"


def test_unknown_object_is_404_json(api):
    response = api.get("/api/v1/members/999999")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "fields": {}}


def test_session_writes_need_csrf(owner, tenant):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post("/api/v1/members", {"email": "x@example.in"}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in _shape(response)["message"]
    assert not Invitation.objects.exists()


# --- throttling --------------------------------------------------------------------------------


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "tenant", "5/min")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "3/min")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "expensive", "2/hour")


def test_tenant_limit_is_shared_by_its_keys_and_spares_other_tenants(
    low_rates, tenant, owner, other_tenant, other_owner, admin_user
):
    first, second = ApiClient(make_key(tenant, owner)), ApiClient(make_key(tenant, admin_user, "admin"))
    statuses = [c.get("/api/v1/me").status_code for c in (first, second, first, second, first)]
    assert statuses == [200] * 5
    limited = second.get("/api/v1/me")
    assert limited.status_code == 429
    assert _shape(limited)["code"] == "throttled"
    assert 0 < int(limited["Retry-After"]) <= 60
    assert ApiClient(make_key(other_tenant, other_owner)).get("/api/v1/me").status_code == 200


def test_anonymous_limit_is_per_address(low_rates, client):
    for _ in range(3):
        assert client.get("/api/v1/me", REMOTE_ADDR="198.51.100.1").status_code == 401
    assert client.get("/api/v1/me", REMOTE_ADDR="198.51.100.1").status_code == 429
    assert client.get("/api/v1/me", REMOTE_ADDR="198.51.100.2").status_code == 401


def test_expensive_operations_have_a_stricter_budget(low_rates, api):
    assert api.post("/api/v1/members", {"email": "a@example.in"}).status_code == 201
    assert api.post("/api/v1/members", {"email": "b@example.in"}).status_code == 201
    response = api.post("/api/v1/members", {"email": "c@example.in"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 60
    assert api.get("/api/v1/members").status_code == 200  # reads are not counted as expensive
    assert Invitation.objects.count() == 2


@pytest.mark.redis
def test_throttle_counters_live_in_redis_for_every_process(low_rates, api, tenant):
    """Another process (a second gunicorn worker) sees the same counter: read it with a raw client."""
    import redis

    api.get("/api/v1/me")
    raw = redis.Redis.from_url(settings.REDIS_URL)
    keys = [k.decode() for k in raw.scan_iter(f"*throttle_tenant_{tenant.pk}*")]
    assert keys, "the tenant's throttle history is not in Redis"


# --- idempotency -------------------------------------------------------------------------------


def test_same_key_same_body_replays_without_doing_the_work_again(api, django_capture_on_commit_callbacks):
    headers = {"HTTP_IDEMPOTENCY_KEY": "invite-7f3a"}
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post("/api/v1/members", {"email": "once@example.in", "role": "staff"}, **headers)
        second = api.post("/api/v1/members", {"email": "once@example.in", "role": "staff"}, **headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert first["Idempotent-Replayed"] == "false" and second["Idempotent-Replayed"] == "true"
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="invitation.create").count() == 1


def test_same_key_different_body_is_422(api):
    api.post("/api/v1/members", {"email": "a@example.in"}, HTTP_IDEMPOTENCY_KEY="k1")
    response = api.post("/api/v1/members", {"email": "b@example.in"}, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 422 and _shape(response)["code"] == "idempotency_key_reused"
    assert list(Invitation.objects.values_list("email", flat=True)) == ["a@example.in"]


def test_failed_validation_is_replayed_too(api):
    first = api.post("/api/v1/members", {"email": "bad"}, HTTP_IDEMPOTENCY_KEY="k2")
    second = api.post("/api/v1/members", {"email": "bad"}, HTTP_IDEMPOTENCY_KEY="k2")
    assert first.status_code == second.status_code == 400 and first.json() == second.json()


def test_keys_are_per_tenant(api, other_tenant, other_owner):
    other = ApiClient(make_key(other_tenant, other_owner))
    assert (
        api.post("/api/v1/members", {"email": "a@example.in"}, HTTP_IDEMPOTENCY_KEY="shared").status_code
        == 201
    )
    assert (
        other.post("/api/v1/members", {"email": "a@example.in"}, HTTP_IDEMPOTENCY_KEY="shared").status_code
        == 201
    )
    assert Invitation.objects.count() == 2


def test_keys_expire_after_24_hours(api):
    api.post("/api/v1/members", {"email": "a@example.in"}, HTTP_IDEMPOTENCY_KEY="k3")
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    again = api.post("/api/v1/members", {"email": "a@example.in"}, HTTP_IDEMPOTENCY_KEY="k3")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "false"
    assert (
        Invitation.objects.count() == 2
    )  # the second replaced the first invitation: the work was done again
    assert idempotency_keys_purge(now=timezone.now() + timedelta(hours=25)) == 1


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "tab\there"])
def test_malformed_keys_are_400(api, key):
    response = api.post("/api/v1/members", {"email": "a@example.in"}, HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400 and _shape(response)["code"] == "idempotency_key_invalid"
    assert not Invitation.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_do_the_work_once(tenant, owner):
    secret = make_key(tenant, owner)
    barrier = threading.Barrier(4)
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def post():
        try:
            barrier.wait(10)
            response = ApiClient(secret).post(
                "/api/v1/members",
                {"email": "race@example.in", "role": "staff"},
                HTTP_IDEMPOTENCY_KEY="race-1",
            )
            results.append((response.status_code, response.get("Idempotent-Replayed", "")))
        except BaseException as exc:  # a thread's failure would otherwise vanish with the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a request never answered"
    assert errors == [], errors
    assert len(results) == 4, results
    assert Invitation.objects.filter(email="race@example.in").count() == 1
    assert AuditEvent.objects.filter(action="invitation.create").count() == 1
    assert sorted(results).count((201, "false")) == 1
    assert all(r in {(201, "false"), (201, "true"), (409, "")} for r in results), results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_request_while_the_first_is_still_running_is_409(tenant, owner):
    secret = make_key(tenant, owner)
    caller = f"api_key:{ApiKey.objects.get().pk}"
    body = {"email": "slow@example.in", "role": "staff"}
    claimed, release = threading.Event(), threading.Event()

    def first_request_in_progress():
        try:
            with tenant_scope(tenant.pk), transaction.atomic():  # as the first request, for the shop
                _claim(tenant=tenant, caller=caller, key="slow-1", fingerprint="x")
                claimed.set()
                release.wait(20)
                transaction.set_rollback(True)
        finally:
            connection.close()

    holder = threading.Thread(target=first_request_in_progress)
    holder.start()
    try:
        assert claimed.wait(10)
        started = time.monotonic()
        response = ApiClient(secret).post("/api/v1/members", body, HTTP_IDEMPOTENCY_KEY="slow-1")
        assert response.status_code == 409
        assert _shape(response)["code"] == "idempotency_in_progress"
        assert time.monotonic() - started < 10
    finally:
        release.set()
        holder.join()
    assert not Invitation.objects.exists()


# --- schema and docs ---------------------------------------------------------------------------


def test_openapi_schema_documents_auth_and_errors(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    assert "Error" in schema["components"]["schemas"]
    paths = schema["paths"]
    for path in [
        "/api/v1/me",
        "/api/v1/tenant",
        "/api/v1/members",
        "/api/v1/members/{id}",
        "/api/v1/api-keys",
        "/api/v1/api-keys/{id}",
        "/api/v1/audit-events",
        "/api/v1/invitations",
    ]:
        assert path in paths, path
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert {"401", "403", "429"} <= set(operation["responses"]), (path, method)
            if "{" in path:
                assert "404" in operation["responses"], (path, method)
            if method == "post":
                assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"]), path
    assert client.get("/openapi.json").status_code == 200


def test_swagger_ui_is_served_offline(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


def test_guessing_keys_is_throttled_per_address(low_rates, client):
    for i in range(3):
        response = client.get(
            "/api/v1/me", HTTP_AUTHORIZATION=f"Bearer tj_0000000{i}_guess", REMOTE_ADDR="203.0.113.5"
        )
        assert response.status_code == 401
    response = client.get(
        "/api/v1/me", HTTP_AUTHORIZATION="Bearer tj_00000009_guess", REMOTE_ADDR="203.0.113.5"
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    "params, field",
    [
        ({"since": "0134-12-20T01:31:29-21:24"}, "since"),
        ({"until": "0001-01-01T00:00:00+05:00"}, "until"),
        ({"since": "yesterday"}, "since"),
        ({"actor": "x"}, "actor"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_odd_filter_values_are_400_not_500(api, params, field):
    """Found by fuzzing: PostgreSQL refuses offsets beyond ±15:59 that Python accepts."""
    response = api.get("/api/v1/audit-events", params)
    assert response.status_code == 400, response.content
    assert field in _shape(response)["fields"]


def test_filter_times_with_offsets_are_compared_in_utc(api, tenant):
    from apps.audit.models import AuditEvent

    newest = AuditEvent.objects.for_tenant(tenant).first()
    ist = newest.created_at.astimezone(timezone.get_fixed_timezone(330)).isoformat()
    body = api.get("/api/v1/audit-events", {"since": ist}).json()
    assert newest.pk in [e["id"] for e in body["results"]]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/members/99999999999999999999999",
        "/api/v1/api-keys/99999999999999999999999",
        "/api/v1/audit-events?actor=16098153343717240000000",
        "/api/v1/audit-events?actor=1.5",
        "/api/v1/members?page=99999999999999999999999",
    ],
)
def test_huge_numbers_are_4xx_not_500(api, path):
    """Found by fuzzing: ids beyond 64 bits overflow SQLite and PostgreSQL integers."""
    response = api.get(path)
    assert response.status_code in (400, 404), response.content
    _shape(response)
