"""The tenant-isolation registry: every URL that takes an object id must say how to test it.

An app's tests add a case per URL name in `tests/<app>/isolation_cases.py`:

    @isolation_case("tenants:member_role", methods=["POST"])
    def _(other_tenant):
        return {"membership_id": Membership.objects.for_tenant(other_tenant).first().pk}

The function makes (or finds) an object of `other_tenant` and returns the URL's kwargs. The walk in
tests/test_isolation.py fails for any URL with parameters that has neither a case nor an exemption,
so a new URL cannot skip the check. API URLs register the same way.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

import tests
from apps.core.models import TenantQuerySet


@dataclass
class IsolationCase:
    url_name: str
    build: Callable
    methods: list[str] = field(default_factory=lambda: ["GET"])
    api: bool = False


CASES: dict[str, IsolationCase] = {}

# URL names with parameters that are not tenant objects, and why.
EXEMPT: dict[str, str] = {
    "accounts:password_reset_confirm": "a signed one-time token for a user, not a tenant object",
    "accounts:invitation_accept": "a signed invitation token; tested in test_services",
    "core:private_file": "a signed link bound to the user it was made for; tested in test_files",
    "core:public_media": "public files (shop logos) by design",
    "core:health_component": "names a health check, not an object",
    "invoicing:bill_shared": "a signed, expiring link a shop gives its buyer; tested in tests/invoicing/test_documents.py",
    "provisioning:preview_file": (
        "a signed, expiring link made for one member by provisioning:preview (which has a case); "
        "tested in tests/provisioning/test_preview.py"
    ),
}
# Namespaces outside tenant scope: Django admin is for super admins only.
EXEMPT_NAMESPACES = {"admin"}


def url_patterns(
    resolver: URLResolver | None = None, namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    """Every named URL pattern of the site outside `EXEMPT_NAMESPACES`, as (namespaced name, pattern).

    The walks (tenant isolation here, read-only shops in tests/billing/test_read_only.py) start from it,
    so a URL added anywhere is walked by both."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in EXEMPT_NAMESPACES:
                continue
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from url_patterns(entry, full)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def has_parameters(pattern: URLPattern) -> bool:
    return bool(pattern.pattern.converters or pattern.pattern.regex.groupindex)


def case_modules_import(module_name: str) -> None:
    """Import every `tests/<app>/<module_name>.py`, whose decorators register their cases."""
    for module in pkgutil.walk_packages(tests.__path__, "tests."):
        if module.name.endswith(f".{module_name}"):
            importlib.import_module(module.name)


def isolation_case(url_name: str, *, methods: list[str] | None = None, api: bool = False):
    def register(build: Callable) -> Callable:
        if url_name in CASES:
            raise ValueError(f"two isolation cases for {url_name}")
        CASES[url_name] = IsolationCase(url_name, build, methods or ["GET"], api)
        return build

    return register


# --- ids inside requests: list filters and request bodies -------------------------------------------
#
# Every API input that carries an object id (a query parameter or a body field whose schema says
# `maximum: MAX_ID`, as IdFilter and id fields declare) needs a case too, keyed
# "<operationId> <query|body>:<field>" (`[]` marks a list item). tests/test_isolation_inputs.py reads
# the OpenAPI schema, so a new filter or body id cannot skip the walk either.


@dataclass
class Probe:
    """One request whose `payload(id)` puts an object id where the API reads one."""

    method: str
    path: str
    payload: Callable[[int], dict]
    other_id: int
    content_type: str = "application/json"


INPUT_CASES: dict[str, Callable] = {}

INPUT_EXEMPT: dict[str, str] = {
    "metal_rates_list query:purity": "purity grades are one table shared by every tenant",
    "metal_rates_create body:purity": "purity grades are one table shared by every tenant",
    "stock_items_list query:purity": "purity grades are one table shared by every tenant",
}


def input_case(key: str):
    """Register `build(tenant, other_tenant) -> Probe` for the id input named by `key`."""

    def register(build: Callable) -> Callable:
        if key in INPUT_CASES:
            raise ValueError(f"two input cases for {key}")
        INPUT_CASES[key] = build
        return build

    return register


# --- the two walls ---------------------------------------------------------------------------------
#
# Another tenant's rows are hidden twice: by the selectors (`for_tenant`) and by PostgreSQL's
# row-level security. The walks run with both up, then with each taken down in turn, so neither
# can quietly lean on the other.


def walls_up(walls: str, monkeypatch) -> None:
    """Take one of the two walls down for the rest of the test."""
    if walls == "row-level security alone":
        monkeypatch.setattr(TenantQuerySet, "for_tenant", lambda self, tenant: self.all())
    elif walls == "selectors alone":
        from apps.core.db.postgresql import base

        monkeypatch.setattr(base, "rls_state", lambda: ("", True))
