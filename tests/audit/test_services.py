"""Each audit event names what it was about (type and id) and who acted, or says it was the system;
long texts are cut to their columns, and a batch is checked like a single event. The request's
facts (address, trusted only behind configured proxies; browser) are recorded with it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.audit.services import AuditEntry, audit_record, audit_record_many
from apps.core.context import acting_via_var
from apps.tenants.models import Membership
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_event_names_its_target_by_type_and_id(tenant, owner):
    membership = Membership.objects.get(tenant=tenant, user=owner)

    event = audit_record(
        tenant=tenant, actor=owner, action="member.role", summary="Role kept", target=membership
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.target_type, stored.target_id) == ("tenants.membership", str(membership.pk))
    assert stored.actor_label == owner.email


def test_an_event_without_a_target_or_actor_stores_blanks_and_system(tenant):
    event = audit_record(tenant=tenant, actor=None, action="amc.sweep", summary="Nightly sweep")

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.target_type, stored.target_id, stored.actor_label) == ("", "", "system")


def test_a_batch_names_each_target_and_leaves_blank_where_there_is_none(tenant, owner):
    membership = Membership.objects.get(tenant=tenant, user=owner)

    audit_record_many(
        tenant=tenant,
        actor=owner,
        entries=[
            AuditEntry("stock.import", "Imported 2 items"),
            AuditEntry("member.role", "Role kept", membership),
        ],
    )

    stored = dict(
        AuditEvent.objects.filter(tenant=tenant, action__in=["stock.import", "member.role"]).values_list(
            "action", "target_id"
        )
    )
    assert stored == {"stock.import": "", "member.role": str(membership.pk)}


def test_a_long_summary_is_cut_to_300_characters(tenant, owner):
    summary = "Imported 1,200 articles from the Zaveri Bazaar branch. " * 10

    event = audit_record(tenant=tenant, actor=owner, action="stock.import", summary=summary)

    assert AuditEvent.objects.get(pk=event.pk).summary == summary[:300]


def test_a_long_actor_label_through_a_key_is_cut_to_254_characters(tenant):
    actor = UserFactory(email=f"{'a' * 60}@{'b' * 60}.{'c' * 60}.{'d' * 10}.in")
    token = acting_via_var.set("API key “Tally sync for the Zaveri Bazaar branch” (1a2b3c4d…)")
    try:
        event = audit_record(tenant=tenant, actor=actor, action="stock.create", summary="Added a chain")
    finally:
        acting_via_var.reset(token)

    label = AuditEvent.objects.get(pk=event.pk).actor_label
    assert len(label) == 254
    assert label.startswith(f"{actor.email} via API key “Tally sync")


def test_a_batch_with_an_invalid_event_is_refused_whole(tenant, owner):
    entries = [AuditEntry("stock.import", "Imported 1 item"), AuditEntry("x" * 65, "Action name too long")]

    with pytest.raises(ValidationError):
        audit_record_many(tenant=tenant, actor=owner, entries=entries)

    assert not AuditEvent.objects.filter(summary__startswith="Imported 1 item").exists()


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
