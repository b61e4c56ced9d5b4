"""Walks every URL pattern that takes an object id and proves another tenant's member gets 404."""

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.tenants.models import Membership, Role
from tests.api_helpers import ApiClient, make_key
from tests.isolation import CASES, EXEMPT, case_modules_import, has_parameters, url_patterns, walls_up

case_modules_import("isolation_cases")


def _patterns_with_parameters():
    for name, pattern in url_patterns():
        if has_parameters(pattern):
            yield name


def test_every_url_with_an_id_has_an_isolation_case():
    names = set(_patterns_with_parameters())
    assert names, "the walk found no URL at all"
    missing = sorted(n for n in names if n not in CASES and n not in EXEMPT)
    assert not missing, (
        f"URLs that take an id but have no isolation case in tests/<app>/isolation_cases.py: {missing}"
    )
    stale = sorted(n for n in CASES if n not in names)
    assert not stale, f"isolation cases for URLs that no longer exist: {stale}"
    # An API URL is walked with a key as well as a session only when its case says api=True.
    unflagged = sorted(n for n, case in CASES.items() if n.startswith("api:") != case.api)
    assert not unflagged, f"isolation cases whose api flag does not match their URL: {unflagged}"


WALLS = pytest.mark.parametrize(
    "walls",
    [
        "selectors and row-level security",
        # With for_tenant() made a no-op, PostgreSQL's policies alone must still hide the other tenant.
        pytest.param("row-level security alone", marks=pytest.mark.postgres),
        # With the connection acting as the platform role (BYPASSRLS), the selectors alone must.
        pytest.param("selectors alone", marks=pytest.mark.postgres),
    ],
)


def _walk(case, client, other_tenant, walls, monkeypatch, *, who: str, json: bool = False) -> None:
    """Every method of the case answers 404 and nothing of the other tenant changes."""
    url = reverse(case.url_name, kwargs=case.build(other_tenant))
    events_before = AuditEvent.objects.filter(tenant=other_tenant).count()
    walls_up(walls, monkeypatch)
    for method in case.methods:
        response = getattr(client, method.lower())(url)
        assert response.status_code == 404, f"{method} {url} as {who} gave {response.status_code}"
        if json:
            assert response["Content-Type"].startswith("application/json")
    # Every change is audited, so an unchanged trail means nothing of the other tenant changed.
    assert AuditEvent.objects.filter(tenant=other_tenant).count() == events_before


@pytest.mark.django_db
@WALLS
@pytest.mark.parametrize("url_name", sorted(CASES))
def test_other_tenants_object_is_404(url_name, walls, make_client, tenant, owner, other_tenant, monkeypatch):
    client = make_client(owner, tenant)  # an owner: every role check passes, only the tenant differs
    assert Membership.objects.get(user=owner, tenant=tenant).role == Role.OWNER
    _walk(CASES[url_name], client, other_tenant, walls, monkeypatch, who="another tenant's owner")


@pytest.mark.django_db
@WALLS
@pytest.mark.parametrize("url_name", sorted(n for n, case in CASES.items() if case.api))
def test_other_tenants_object_is_404_with_an_api_key(
    url_name, walls, tenant, owner, other_tenant, monkeypatch
):
    client = ApiClient(make_key(tenant, owner, "owner"))  # the key's tenant is the only thing that differs
    _walk(
        CASES[url_name], client, other_tenant, walls, monkeypatch, who="another tenant's owner key", json=True
    )
