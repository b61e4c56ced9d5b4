"""Idempotency-Key rules at their edges: 1 to 255 printable characters; kept 24 hours; the request is
its method, path and body; a key still being worked on answers 409; the purge keeps live keys."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.api.idempotency import idempotency_keys_purge
from apps.core.models import IdempotencyKey
from apps.tenants.models import ApiKey, Invitation
from tests.api_helpers import ApiClient, make_key

pytestmark = pytest.mark.django_db


def _invite(client: ApiClient, key: str):
    return client.post(
        "/api/v1/members", {"email": "long-key@example.in", "role": "staff"}, HTTP_IDEMPOTENCY_KEY=key
    )


def test_a_key_of_255_characters_is_honoured(tenant, owner):
    client = ApiClient(make_key(tenant, owner))
    longest = "k" * 255

    first = _invite(client, longest)
    again = _invite(client, longest)

    assert first.status_code == again.status_code == 201, first.content
    assert first["Idempotent-Replayed"] == "false" and again["Idempotent-Replayed"] == "true"
    assert Invitation.objects.for_tenant(tenant).count() == 1


def test_a_key_of_256_characters_is_refused_and_nothing_is_done(tenant, owner):
    response = _invite(ApiClient(make_key(tenant, owner)), "k" * 256)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert "1 to 255 printable characters" in response.json()["message"]
    assert not Invitation.objects.for_tenant(tenant).exists()


def test_a_blank_key_is_refused_and_nothing_is_done(tenant, owner):
    response = _invite(ApiClient(make_key(tenant, owner)), "   ")

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert not Invitation.objects.for_tenant(tenant).exists()
    assert not IdempotencyKey.objects.exists()


def test_an_answer_is_kept_for_24_hours(tenant, owner):
    before = timezone.now()
    _invite(ApiClient(make_key(tenant, owner)), "kept-a-day")

    expires_at = IdempotencyKey.objects.get(key="kept-a-day").expires_at
    assert before + timedelta(hours=24) <= expires_at <= timezone.now() + timedelta(hours=24)


def test_the_same_key_and_body_on_another_endpoint_is_another_request(tenant, owner):
    client = ApiClient(make_key(tenant, owner))
    body = {"name": "Front desk", "role": "staff"}
    assert client.post("/api/v1/api-keys", body, HTTP_IDEMPOTENCY_KEY="one-key").status_code == 201

    response = client.post("/api/v1/members", body, HTTP_IDEMPOTENCY_KEY="one-key")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Invitation.objects.for_tenant(tenant).exists()


def test_a_key_whose_first_request_has_not_answered_yet_is_409(tenant, owner):
    client = ApiClient(make_key(tenant, owner))
    api_key = ApiKey.objects.get(tenant=tenant, created_by=owner)
    IdempotencyKey.objects.create(  # the first request's claim, its work still running
        tenant=tenant,
        caller=f"api_key:{api_key.pk}",
        key="busy",
        fingerprint="0" * 64,
        expires_at=timezone.now() + timedelta(hours=24),
    )

    response = _invite(client, "busy")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"
    assert not Invitation.objects.for_tenant(tenant).exists()


def test_the_purge_forgets_expired_keys_and_keeps_live_ones(tenant, owner):
    client = ApiClient(make_key(tenant, owner))
    _invite(client, "old")
    client.post("/api/v1/members", {"email": "fresh@example.in"}, HTTP_IDEMPOTENCY_KEY="fresh")
    IdempotencyKey.objects.filter(key="old").update(expires_at=timezone.now() - timedelta(seconds=1))

    assert idempotency_keys_purge() == 1

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
