"""An event, once written, stays as written: neither the ORM nor SQL changes or deletes it."""

import pytest
from django.db import DatabaseError, connection, transaction

from apps.audit.models import AuditEvent, AuditEventImmutable
from apps.audit.services import audit_record
from tests.accounts.factories import UserFactory

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


def test_deleting_a_user_keeps_their_events(tenant):
    user = UserFactory(email="gone@example.in")
    event = _event(tenant, user)
    user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor is None and event.actor_label == "gone@example.in"


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
