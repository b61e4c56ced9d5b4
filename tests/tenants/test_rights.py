"""What each role may do is written once (apps/tenants/rights.py): every gate above staff names a right
from there, and the Team page's table is drawn from the same list."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.tenants import rights
from apps.tenants.access.permissions import required_gate
from apps.tenants.models import Role
from apps.tenants.services import tenant_create
from tests.conftest import add_member

pytestmark = pytest.mark.django_db


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _page_gates():
    """(address, what guards it) for every page behind `tenant_view`: its gate, and its POST's right."""
    for address, view in _patterns(get_resolver()):
        if hasattr(view, "min_role"):
            yield address, view.gate
            if view.post_right is not None:
                yield f"POST {address}", view.post_right


def _api_gates():
    """(method and address, what guards it) for every API endpoint, as TenantRolePermission reads it."""
    for address, view in _patterns(get_resolver()):
        cls = getattr(view, "cls", None)
        if cls is None or not address.startswith("api/"):
            continue
        actions = getattr(view, "actions", None) or {
            method: None for method in cls.http_method_names if hasattr(cls, method)
        }
        for method, action in actions.items():
            if method not in ("options", "head"):
                yield f"{method.upper()} {address}", required_gate(cls, action, method.upper())


PAGE_GATES = list(_page_gates())
API_GATES = list(_api_gates())


def test_every_gate_above_staff_names_a_right_the_team_page_lists():
    assert len(PAGE_GATES) > 60 and len(API_GATES) > 60  # the walks found the site
    bare = [
        address
        for address, gate in PAGE_GATES + API_GATES
        if rights.role_of(gate) != Role.STAFF and not isinstance(gate, rights.Right)
    ]
    assert bare == []
    used = {gate for _address, gate in PAGE_GATES + API_GATES if isinstance(gate, rights.Right)}
    assert used <= set(rights.RIGHTS)


@pytest.mark.parametrize(
    "address, right",
    [
        ("stock/rates/", rights.RATES_SEE),
        ("POST stock/rates/", rights.RATES_SET),
        ("POST api/v1/^metal-rates$", rights.RATES_SET),
        ("settings/audit/", rights.AUDIT_READ),
        ("PATCH api/v1/tenant", rights.PROFILE_EDIT),
        ("GET api/v1/aws-account", rights.AWS_ACCOUNT),
    ],
)
def test_the_gates_name_the_rights_the_table_promises(address, right):
    assert (address, right) in PAGE_GATES + API_GATES


def _table(html: str) -> dict[str, list[str]]:
    section = html[html.index('id="roles"') :]
    rows = re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', section, re.S)
    return {
        what.replace("&#x27;", "'"): re.findall(r'class="visually-hidden">(Yes|No)<', cells)
        for what, cells in rows
    }


def test_the_team_page_says_what_owner_admin_and_staff_may_each_do(make_client, tenant, staff_user):
    response = make_client(staff_user, tenant).get("/settings/team/")

    table = _table(response.content.decode())
    assert list(table) == [right.does for right in rights.RIGHTS]
    assert table["Set the day's metal rates"] == ["Yes", "Yes", "No"]
    assert table["See the total value of the stock"] == ["Yes", "Yes", "No"]
    assert table["Add and change articles, HUIDs and hallmarking batches"] == ["Yes", "Yes", "Yes"]
    assert table["Connect the workspace's own AWS account"] == ["Yes", "No", "No"]
    assert ">Owner</th>" in response.content.decode()


def test_a_personal_workspace_lists_no_shop_rights(make_client, owner):
    builds = tenant_create(owner=owner, kind="personal", name="Side Builds")
    member = add_member(builds, Role.STAFF)

    table = _table(make_client(member, builds).get("/settings/team/").content.decode())

    assert "Set the day's metal rates" not in table
    assert table["Create projects, provision, deploy and destroy them"] == ["Yes", "Yes", "No"]
