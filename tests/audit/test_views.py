"""The audit trail page: filters, pagination, and a flat query count."""

import pytest
from django.urls import reverse

from apps.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _event(tenant, actor, **kw):
    return audit_record(
        tenant=tenant,
        actor=actor,
        action=kw.get("action", "tenant.update"),
        summary=kw.get("summary", "Changed name"),
        target=tenant,
    )


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
    # One fewer when sessions are in Redis; one is the AMC banner's contract.
    with django_assert_max_num_queries(8) as first:
        owner_client.get(reverse("audit:list"))
    for i in range(80):
        _event(tenant, owner, summary=f"more {i}")
    with django_assert_num_queries(len(first.captured_queries)):
        owner_client.get(reverse("audit:list"))
