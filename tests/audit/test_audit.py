from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent, AuditEventImmutable
from apps.audit.services import audit_record, audit_retention_purge
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _event(tenant, actor, **kw):
    return audit_record(
        tenant=tenant,
        actor=actor,
        action=kw.get("action", "tenant.update"),
        summary=kw.get("summary", "Changed name"),
        target=tenant,
    )


def test_events_cannot_be_changed_or_deleted_through_the_orm(tenant, owner):
    event = _event(tenant, owner)
    event.summary = "rewritten"
    with pytest.raises(AuditEventImmutable):
        event.save()
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "Changed name"


def test_request_facts_are_recorded(owner_client, tenant):
    owner_client.post(
        reverse("tenants:settings_profile"),
        {"name": "New name", "state_code": "27", "gstin": "", "address": ""},
        HTTP_USER_AGENT="Mozilla/5.0 TestBrowser",
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_REQUEST_ID="req-12345678",
    )
    event = AuditEvent.objects.get(action="tenant.update")
    assert event.ip_address == "203.0.113.9"
    assert event.user_agent == "Mozilla/5.0 TestBrowser"
    assert event.request_id == "req-12345678"
    assert event.actor_label == "owner@shop-a.in"


def test_forwarded_for_is_trusted_only_behind_configured_proxies(owner_client, tenant, settings):
    headers = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.50"}
    data = {"name": "N1", "state_code": "27", "gstin": "", "address": ""}
    owner_client.post(reverse("tenants:settings_profile"), data, **headers)
    settings.NUM_PROXIES = 1
    owner_client.post(reverse("tenants:settings_profile"), {**data, "name": "N2"}, **headers)
    first, second = AuditEvent.objects.filter(action="tenant.update").order_by("id")
    assert first.ip_address == "10.0.0.2"
    assert second.ip_address == "203.0.113.50"  # the hop our one proxy appended, not the spoofable first


def test_deleting_a_user_keeps_their_events(tenant):
    user = UserFactory(email="gone@example.in")
    event = _event(tenant, user)
    user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor is None and event.actor_label == "gone@example.in"


def test_retention_purge_removes_only_events_older_than_seven_years(tenant, owner):
    recent = _event(tenant, owner)
    # Written old from the start: no one, owner included, may back-date an event once it is stored.
    old = AuditEvent(tenant=tenant, action="tenant.update", summary="ancient")
    old.created_at = timezone.now() - timedelta(days=7 * 366)
    old.save(force_insert=True)
    before = AuditEvent.objects.count()
    assert audit_retention_purge() == 1
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and recent.pk in remaining and len(remaining) == before - 1


@pytest.mark.postgres
def test_database_refuses_changes_even_outside_the_orm(tenant, owner):
    event = _event(tenant, owner)
    for sql in (
        "UPDATE audit_auditevent SET summary = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="audit events"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == "Changed name"


def test_audit_page_filters_and_paginates(owner_client, tenant, owner, other_tenant, other_owner):
    for i in range(60):
        _event(tenant, owner, action="member.role_change", summary=f"role change {i}")
    _event(tenant, owner, action="invitation.create", summary="Invited someone special")
    _event(other_tenant, other_owner, action="invitation.create", summary="Other tenant secret")
    page = owner_client.get(reverse("audit:list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Other tenant secret" not in body
    assert "Page 1 of 2" in body
    filtered = owner_client.get(reverse("audit:list"), {"action": "invitation"})
    assert "Invited someone special" in filtered.content.decode()
    assert "role change" not in filtered.content.decode()
    searched = owner_client.get(reverse("audit:list"), {"q": "special"})
    assert searched.context["page"].paginator.count == 1
    second = owner_client.get(reverse("audit:list"), {"page": 2})
    assert second.context["page"].number == 2
    htmx = owner_client.get(reverse("audit:list"), {"q": "special"}, HTTP_HX_REQUEST="true")
    assert "<html" not in htmx.content.decode() and "Invited someone special" in htmx.content.decode()


def test_audit_page_bad_filters_do_not_fail(owner_client):
    response = owner_client.get(
        reverse("audit:list"), {"date_from": "yesterday", "actor": "abc", "page": "x"}
    )
    assert response.status_code == 200


def test_audit_page_query_count_is_flat(
    owner_client, tenant, owner, django_assert_num_queries, django_assert_max_num_queries
):
    for i in range(5):
        _event(tenant, owner, summary=f"e{i}")
    with django_assert_max_num_queries(7) as first:  # one fewer when sessions are in Redis
        owner_client.get(reverse("audit:list"))
    for i in range(80):
        _event(tenant, owner, summary=f"more {i}")
    with django_assert_num_queries(len(first.captured_queries)):
        owner_client.get(reverse("audit:list"))
