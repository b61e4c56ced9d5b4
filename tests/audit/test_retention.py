"""The audit trail is kept for seven years to the day, and the database holds every event to it,
the platform's own events (no actor) included."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.audit.services import audit_record, audit_retention_purge

pytestmark = pytest.mark.django_db


def _event(tenant, actor):
    return audit_record(
        tenant=tenant, actor=actor, action="tenant.update", summary="Changed name", target=tenant
    )


def _stored_at(tenant, age: timedelta, summary: str) -> AuditEvent:
    """An event written that long ago (an insert is allowed; only changing a stored one is refused)."""
    event = AuditEvent(tenant=tenant, action="tenant.update", summary=summary)
    event.created_at = timezone.now() - age
    event.save(force_insert=True)
    return event


def _sql_error(sql: str, params) -> str:
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(exc.value)


def test_purge_keeps_events_younger_than_seven_years_and_removes_older(tenant):
    two_years = _stored_at(tenant, timedelta(days=2 * 365), "two years old")
    # Seven times 365 days ago is a day or two short of seven calendar years: still kept.
    almost_seven = _stored_at(tenant, timedelta(days=7 * 365), "almost seven years old")
    past_seven = _stored_at(tenant, timedelta(days=7 * 365 + 3), "past seven years")

    assert audit_retention_purge() == 1

    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert {two_years.pk, almost_seven.pk} <= remaining
    assert past_seven.pk not in remaining


@pytest.mark.postgres
def test_database_refuses_deleting_an_event_younger_than_seven_years(tenant):
    almost_seven = _stored_at(tenant, timedelta(days=7 * 365), "almost seven years old")
    past_seven = _stored_at(tenant, timedelta(days=7 * 365 + 3), "past seven years")

    error = _sql_error("DELETE FROM audit_auditevent WHERE id = %s", [almost_seven.pk])

    assert "kept for 7 years" in error
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [past_seven.pk])
        assert cursor.rowcount == 1
    assert AuditEvent.objects.filter(pk=almost_seven.pk).exists()


@pytest.mark.postgres
def test_database_refuses_rewriting_a_platform_event_that_has_no_actor(tenant):
    event = audit_record(
        tenant=tenant, actor=None, action="tenant.update", summary="Nightly sweep", target=tenant
    )
    assert event.actor_id is None

    error = _sql_error("UPDATE audit_auditevent SET summary = 'rewritten' WHERE id = %s", [event.pk])

    assert "audit events cannot be changed" in error
    assert AuditEvent.objects.get(pk=event.pk).summary == "Nightly sweep"


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
