"""Expired means read-only, never held hostage: the walk of every URL of the site.

A shop whose AMC has expired can sign in, see and export everything, and cannot create or change
anything until it renews. The walk sends every write of every page (POST, with a session) and of every
API endpoint (each unsafe method the route takes, with an API key and with a session) as the expired
shop's owner and expects 402 with "renew to make changes" and not one row changed; it sends the writes
that stay open (exports, and every page where the shop renews and pays) and expects them through; it
reads every page and endpoint that answers a GET and expects it to work, PDFs and CSV downloads
included. URLs with parameters point at the expired shop's own objects (tests/read_only.py says how
they are built), and a new URL that is neither gated nor explained fails the walk.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.billing.models import Contract
from apps.billing.services import contract_renew, contract_start_trial
from apps.invoicing.models import Invoice
from apps.reports.models import Export
from apps.tenants.access.permissions import TenantRolePermission
from apps.tenants.access.writes import WRITES_ALLOWED
from apps.tenants.models import ApiKey, Membership, Role, Tenant
from tests.accounts.factories import PASSWORD
from tests.api_helpers import ApiClient, make_key
from tests.billing.conftest import S, contract_of, put_in
from tests.conftest import add_member, login
from tests.inventory.isolation_cases import _item
from tests.invoicing.isolation_cases import _draft, _issued
from tests.isolation import CASES as ISOLATION_CASES
from tests.isolation import case_modules_import, has_parameters, url_patterns
from tests.read_only import CASES, OUTSIDE
from tests.reports.conftest import exports_in_tmp  # noqa: F401 - exported files in the test's folder

case_modules_import("isolation_cases")
case_modules_import("read_only_cases")

pytestmark = pytest.mark.django_db

REFUSED = "renew to make changes"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
RENEWAL_NAMESPACES = ("billing:", "payments:", "api:billing-")

PATTERNS = dict(url_patterns())


def _api_methods(callback) -> list[str]:
    """The methods an API route takes: its viewset's mapping, or the handlers its view defines."""
    actions = getattr(callback, "actions", None)
    if actions:
        return sorted(method.upper() for method in actions)
    cls = callback.cls
    return sorted(
        m.upper() for m in cls.http_method_names if m not in ("head", "options") and hasattr(cls, m)
    )


def _is_page(callback) -> bool:
    return hasattr(callback, "gate")  # set by tenant_view, kept through post_only and require_GET


def _is_api(name: str, callback) -> bool:
    cls = getattr(callback, "cls", None)
    return name.startswith("api:") and cls is not None and TenantRolePermission in cls.permission_classes


def _stays_open(name: str) -> bool:
    """An allowed write, or any page where a lapsed shop renews and pays (so none can be refused)."""
    return name in WRITES_ALLOWED or name.startswith(RENEWAL_NAMESPACES)


PAGES = sorted(name for name, p in PATTERNS.items() if _is_page(p.callback))
API = sorted(name for name, p in PATTERNS.items() if _is_api(name, p.callback))
PAGE_WRITES = [name for name in PAGES if not _stays_open(name)]
_API_UNSAFE = [
    (name, method) for name in API for method in _api_methods(PATTERNS[name].callback) if method in UNSAFE
]
API_WRITES = [(name, method) for name, method in _API_UNSAFE if not _stays_open(name)]
OPEN_PAGES = [name for name in PAGES if _stays_open(name)]
OPEN_API_WRITES = [(name, method) for name, method in _API_UNSAFE if _stays_open(name)]
API_READS = [name for name in API if "GET" in _api_methods(PATTERNS[name].callback)]


# --- the walk covers the site ----------------------------------------------------------------------


def test_every_url_is_behind_a_gate_or_says_why_not():
    assert len(PAGES) > 60 and len(API) > 40 and len(API_WRITES) > 40  # the walk found the site
    loose = sorted(name for name in PATTERNS if name not in PAGES and name not in API and name not in OUTSIDE)
    assert not loose, (
        f"URLs behind neither tenant_view nor TenantRolePermission: gate them, or say in "
        f"tests/read_only.py OUTSIDE why a lapsed AMC has nothing to refuse there: {loose}"
    )
    both = sorted(name for name in OUTSIDE if name in PAGES or name in API)
    assert not both, f"URLs listed as outside the gates that are gated: {both}"
    stale = sorted(name for name in [*OUTSIDE, *CASES, *WRITES_ALLOWED] if name not in PATTERNS)
    assert not stale, f"read-only cases, exemptions or allowed writes for URLs that no longer exist: {stale}"


def test_every_gated_url_with_parameters_has_a_case():
    missing = sorted(
        name
        for name in [*PAGES, *API]
        if has_parameters(PATTERNS[name]) and name not in CASES and name not in ISOLATION_CASES
    )
    assert not missing, (
        "Gated URLs with parameters that neither an isolation case nor a read-only case "
        f"(tests/<app>/read_only_cases.py) can build for the expired shop: {missing}"
    )


# --- two shops ---------------------------------------------------------------------------------------


def _shop_data(shop) -> None:
    """Stock, a customer with an issued invoice, and a draft: what a shop has when its AMC runs out."""
    _item(shop)
    _issued(shop)
    _draft(shop)


@pytest.fixture
def active_shop(other_tenant, other_owner):
    _shop_data(other_tenant)
    put_in(other_tenant, S.ACTIVE, other_owner)  # paid for a year: the lifecycle job leaves it alone
    return other_tenant


@pytest.fixture
def expired_shop(tenant, owner, active_shop):
    _shop_data(tenant)
    contract, _day = put_in(tenant, S.EXPIRED, owner)
    assert contract.state == S.EXPIRED and contract_of(active_shop).state == S.ACTIVE
    return Tenant.objects.get(pk=tenant.pk)


def _expired_on(shop) -> str:
    day = contract_of(shop).grace_until + timedelta(days=1)
    return f"{day.day} {day:%b %Y}"


# Columns a read keeps up to date: a key's last use is written by every request it signs.
BOOKKEEPING = {(ApiKey, "last_used_at")}
TENANT_MODELS = [
    model
    for model in apps.get_models()
    if any(f.name == "tenant" and f.is_relation and f.related_model is Tenant for f in model._meta.fields)
]


def _rows(*shops) -> dict:
    """Every row of every tenant table of the shops, and the shops themselves."""
    ids = [shop.pk for shop in shops]
    rows = {"tenants.Tenant": list(Tenant.objects.filter(pk__in=ids).order_by("pk").values())}
    for model in TENANT_MODELS:
        values = model._base_manager.filter(tenant_id__in=ids).order_by("pk").values()
        rows[model._meta.label] = [
            {name: value for name, value in row.items() if (model, name) not in BOOKKEEPING} for row in values
        ]
    assert rows["invoicing.Invoice"] and rows["inventory.StockItem"]  # the snapshot sees the shops' data
    return rows


def _url(name: str, shop) -> str:
    """The URL of `name` for the shop's own object: its read-only case, else its isolation case."""
    if name in CASES:
        return reverse(name, kwargs=CASES[name](shop) or None)
    if has_parameters(PATTERNS[name]):
        if name not in ISOLATION_CASES:
            pytest.fail(f"{name} takes parameters but has no isolation or read-only case to build them")
        return reverse(name, kwargs=ISOLATION_CASES[name].build(shop))
    return reverse(name)


def _read(client, url: str):
    """GET `url`, following redirects within the site (a deployed site's own address is left alone)."""
    response, hops = client.get(url), [url]
    while response.status_code in (301, 302, 303, 307) and response["Location"].startswith("/"):
        assert len(hops) < 5, f"redirected in circles: {hops}"
        hops.append(response["Location"])
        response = client.get(response["Location"])
    return response, hops


# --- writes are refused: pages -----------------------------------------------------------------------


@pytest.mark.parametrize("url_name", PAGE_WRITES)
def test_an_expired_shops_page_write_is_refused_with_402_and_writes_nothing(
    url_name, expired_shop, active_shop, owner, make_client
):
    client = make_client(owner, expired_shop)
    url = _url(url_name, expired_shop)
    before = _rows(expired_shop, active_shop)

    response = client.post(url)

    if response.status_code == 405:  # the page only reads: there is no write to refuse
        assert "POST" not in response["Allow"], url
    else:
        assert response.status_code == 402, f"POST {url} gave {response.status_code}"
        html = response.content.decode()
        assert f"Your AMC has expired on {_expired_on(expired_shop)}: {REFUSED}." in html
        assert "You can still see and export everything." in html
        assert f'href="{reverse("billing:contract")}"' in html
    assert _rows(expired_shop, active_shop) == before


# --- writes are refused: the API, with a key and with a session ---------------------------------------


def _api_client(channel: str, shop, owner) -> Client:
    if channel == "API key":
        return ApiClient(make_key(shop, owner, "owner"))
    return login(Client(), owner, shop)


def _send(client: Client, method: str, url: str):
    """`method` with an empty JSON body: the refusal comes before the body is read."""
    headers = client._headers({}) if isinstance(client, ApiClient) else {}
    return client.generic(method, url, b"{}", "application/json", **headers)


@pytest.mark.parametrize("channel", ["API key", "session"])
@pytest.mark.parametrize("url_name, method", API_WRITES, ids=[f"{m} {n}" for n, m in API_WRITES])
def test_an_expired_shops_api_write_is_refused_with_402_and_writes_nothing(
    url_name, method, channel, expired_shop, active_shop, owner
):
    client = _api_client(channel, expired_shop, owner)
    url = _url(url_name, expired_shop)
    before = _rows(expired_shop, active_shop)

    response = _send(client, method, url)

    assert response.status_code == 402, (
        f"{method} {url} gave {response.status_code}: {response.content[:300]}"
    )
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "code": "renewal_required",
        "message": f"Your AMC has expired on {_expired_on(expired_shop)}: {REFUSED}. "
        "You can still see and export everything.",
        "fields": {},
    }
    assert _rows(expired_shop, active_shop) == before


# --- the writes that stay open pass the gate ------------------------------------------------------------


@pytest.mark.parametrize("url_name", OPEN_PAGES)
def test_an_expired_shops_allowed_page_write_passes_the_gate(url_name, expired_shop, owner, make_client):
    """Exports, and every page where the shop renews and pays: never refused for the AMC (whatever the
    empty form then says)."""
    client = make_client(owner, expired_shop)
    url = _url(url_name, expired_shop)

    response = client.post(url)

    assert response.status_code != 402 and response.status_code < 500, (
        f"POST {url} gave {response.status_code}"
    )


@pytest.mark.parametrize("url_name, method", OPEN_API_WRITES, ids=[f"{m} {n}" for n, m in OPEN_API_WRITES])
def test_an_expired_shops_allowed_api_write_passes_the_gate(url_name, method, expired_shop, owner):
    client = ApiClient(make_key(expired_shop, owner, "owner"))
    url = _url(url_name, expired_shop)

    response = _send(client, method, url)

    assert response.status_code != 402 and response.status_code < 500, (
        f"{method} {url} gave {response.status_code}"
    )


def test_a_method_an_endpoint_does_not_take_is_still_405(expired_shop, owner):
    client = ApiClient(make_key(expired_shop, owner, "owner"))
    assert client.put("/api/v1/customers").status_code == 405
    assert client.delete("/api/v1/purities").status_code == 405


def test_a_role_that_may_not_write_is_told_so_before_the_amc(expired_shop):
    staff = add_member(expired_shop, Role.STAFF)
    client = ApiClient(make_key(expired_shop, staff, "staff"))
    response = client.post("/api/v1/metal-rates", {})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


# --- every read still works ----------------------------------------------------------------------------


@pytest.mark.usefixtures("certificates_in_tmp", "exports_in_tmp")
@pytest.mark.parametrize("url_name", PAGES)
def test_an_expired_shop_still_reads_every_page(url_name, expired_shop, owner, make_client):
    client = make_client(owner, expired_shop)
    url = _url(url_name, expired_shop)

    response, hops = _read(client, url)

    if response.status_code == 302:  # a deployed site, at its own address
        assert response["Location"].startswith("http"), hops
    else:
        assert response.status_code == 200, f"GET {hops} gave {response.status_code}"
    assert not any(hop.startswith(reverse("accounts:login")) for hop in hops), (
        f"{url} sent the owner to sign in"
    )


@pytest.mark.usefixtures("certificates_in_tmp", "exports_in_tmp")
@pytest.mark.parametrize("url_name", API_READS)
def test_an_expired_shop_still_reads_every_endpoint(url_name, expired_shop, owner):
    client = ApiClient(make_key(expired_shop, owner, "owner"))
    url = _url(url_name, expired_shop)

    response = client.get(url)

    assert response.status_code in (200, 302), (
        f"GET {url} gave {response.status_code}: {response.content[:300]}"
    )


def test_an_expired_shop_downloads_its_pdf_stock_csv_and_audit_trail(expired_shop, owner, make_client):
    client = make_client(owner, expired_shop)
    invoice = Invoice.objects.filter(tenant=expired_shop, status=Invoice.Status.ISSUED).get()

    pdf, _hops = _read(client, reverse("invoicing:invoice_pdf", kwargs={"invoice_id": invoice.pk}))
    stock = client.get(reverse("inventory:stock_export"))
    audit = client.get(reverse("audit:list"))

    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert stock.status_code == 200 and "Their ring" in b"".join(stock.streaming_content).decode()
    assert audit.status_code == 200 and "AMC expired" in audit.content.decode()


# --- what stays open ---------------------------------------------------------------------------------


def _previous_month() -> str:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def test_an_expired_shop_still_starts_exports_on_the_page_and_through_the_api(
    expired_shop, owner, make_client
):
    page = make_client(owner, expired_shop).post("/reports/", {"period": _previous_month(), "format": "csv"})
    api = ApiClient(make_key(expired_shop, owner, "owner")).post(
        "/api/v1/gst-returns/gstr1", {"period": _previous_month(), "format": "json"}
    )
    other = make_client(owner, expired_shop).post(
        reverse("reports:export_request"), {"kind": "gstr3b", "period": _previous_month()}
    )

    assert page.status_code == 302, page.content.decode()[:500]
    assert api.status_code == 202, api.content
    assert other.status_code == 302
    assert Export.objects.filter(tenant=expired_shop).count() == 3


def test_an_expired_shops_owner_signs_out_switches_and_changes_their_own_account(
    expired_shop, active_shop, owner, make_client
):
    Membership.objects.create(tenant=active_shop, user=owner, role=Role.STAFF)
    client = make_client(owner, expired_shop)

    renamed = client.post(reverse("accounts:account"), {"full_name": "Asha Renamed"})
    password = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-Passw0rd-42",
            "new_password2": "a-new-Passw0rd-42",
        },
    )
    switched = client.post(reverse("tenants:switch"), {"tenant_id": active_shop.pk})
    out = client.post(reverse("accounts:logout"))

    assert renamed.status_code == 302 and password.status_code == 302
    owner.refresh_from_db()
    assert owner.full_name == "Asha Renamed" and owner.check_password("a-new-Passw0rd-42")
    assert switched.status_code == 302 and out.status_code == 302
    assert "_auth_user_id" not in client.session


# --- other shops write as before -----------------------------------------------------------------------


def _customer_writes(shop, user, make_client) -> tuple[int, int]:
    page = make_client(user, shop).post(
        reverse("invoicing:customer_new"), {"kind": "unregistered", "name": "Meera", "state_code": "33"}
    )
    api = ApiClient(make_key(shop, user, "owner")).post(
        "/api/v1/customers", {"name": "Ravi", "state_code": "33"}
    )
    return page.status_code, api.status_code


def test_an_active_shop_writes_as_before_next_to_an_expired_one(
    expired_shop, active_shop, other_owner, make_client
):
    assert _customer_writes(active_shop, other_owner, make_client) == (302, 201)
    page = make_client(other_owner, active_shop).get("/")
    assert 'id="amc-banner"' in page.content.decode() and "banner-amc" not in page.content.decode()


def test_a_shop_in_grace_still_writes_and_is_told_until_when(tenant, owner, make_client):
    contract, _day = put_in(tenant, S.GRACE, owner)
    assert contract.state == S.GRACE

    assert _customer_writes(tenant, owner, make_client) == (302, 201)
    html = make_client(owner, tenant).get("/").content.decode()
    ended, until = contract.period_end, contract.grace_until
    assert (
        f"Your AMC ended on {ended.day} {ended:%b %Y}; access continues until {until.day} {until:%b %Y}. "
        "Renew to keep making changes."
    ) in html
    assert f'href="{reverse("billing:contract")}"' in html


def test_a_shop_without_a_contract_is_not_held(owner, make_client):
    shop = Tenant.objects.create(
        kind=Tenant.Kind.SHOP, name="Before Billing", slug="before-billing", state_code="27"
    )
    Membership.objects.create(tenant=shop, user=owner, role=Role.OWNER)
    assert not Contract.objects.filter(tenant=shop).exists()

    assert _customer_writes(shop, owner, make_client) == (302, 201)


def test_a_suspended_shop_is_read_only_with_billings_words(tenant, owner, root, make_client):
    put_in(tenant, S.SUSPENDED, root)

    response = make_client(owner, tenant).post(reverse("invoicing:customer_new"), {"name": "Meera"})
    api = ApiClient(make_key(tenant, owner, "owner")).post("/api/v1/customers", {"name": "Ravi"})

    assert (
        response.status_code == 402 and "Your AMC is suspended: contact Tijori" in response.content.decode()
    )
    assert api.status_code == 402 and api.json()["message"].startswith("Your AMC is suspended")


def test_a_renewed_shop_writes_again(expired_shop, owner, make_client):
    contract = contract_of(expired_shop)
    contract_renew(
        contract=contract,
        paid_on=timezone.localdate(),
        amount=contract.plan.yearly_price,
        caused_by="payment t2",
    )

    assert _customer_writes(expired_shop, owner, make_client) == (302, 201)


# --- the banner and the refusal, as people see them ------------------------------------------------------


def test_every_page_of_an_expired_shop_says_so_and_where_to_renew(expired_shop, owner, make_client):
    html = make_client(owner, expired_shop).get(reverse("invoicing:invoice_list")).content.decode()
    banner = re.search(r'<div id="amc-banner">(.*?)</div>\s*</div>', html, re.S).group(1)
    assert f"Your AMC has expired on {_expired_on(expired_shop)}: {REFUSED}." in banner
    assert f'<a href="{reverse("billing:contract")}">Renew the AMC</a>' in banner


def test_a_staff_member_is_told_whom_to_ask(expired_shop, make_client):
    staff = add_member(expired_shop, Role.STAFF)
    html = make_client(staff, expired_shop).get(reverse("invoicing:invoice_list")).content.decode()
    assert "Ask an owner or admin of Shop A Jewellers to renew it." in html
    assert reverse("billing:contract") not in html


def test_an_htmx_write_puts_the_refusal_in_the_banner(expired_shop, owner, make_client):
    invoice = _draft(expired_shop)
    url = reverse("invoicing:invoice_free_line", kwargs={"invoice_id": invoice.pk})

    response = make_client(owner, expired_shop).post(url, {"description": "Repair"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 402
    assert response["HX-Retarget"] == "#amc-banner" and response["HX-Reswap"].startswith("outerHTML")
    html = response.content.decode()
    assert html.strip().startswith('<div id="amc-banner">') and 'role="alert"' in html
    assert REFUSED in html and "<html" not in html


def _contract_queries(captured) -> int:
    return sum('"billing_contract"' in q["sql"] for q in captured.captured_queries)


def test_the_banner_costs_one_query_and_a_refusal_one_more(expired_shop, owner, make_client):
    client = make_client(owner, expired_shop)
    with CaptureQueriesContext(connection) as page:
        assert client.get(reverse("invoicing:customer_list")).status_code == 200
    with CaptureQueriesContext(connection) as refused:
        assert client.post(reverse("invoicing:customer_new")).status_code == 402

    assert _contract_queries(page) == 1
    assert (
        _contract_queries(refused) == 2
    )  # billing's rule, then the contract's dates (the banner reuses them)


# --- the API says so in its schema --------------------------------------------------------------------


def test_the_schema_documents_402_on_writes_only(client):
    schema = json.loads(client.get("/openapi.json").content)
    paths = schema["paths"]
    assert "402" in paths["/api/v1/customers"]["post"]["responses"]
    assert "402" in paths["/api/v1/invoices/{id}"]["delete"]["responses"]
    assert "402" not in paths["/api/v1/customers"]["get"]["responses"]
    assert "402" not in paths["/api/v1/gst-returns/gstr1"]["post"]["responses"]  # exports stay open


def test_a_user_made_before_billing_keeps_working_after_the_backfill(owner, make_client):
    shop = Tenant.objects.create(kind=Tenant.Kind.SHOP, name="Old Shop", slug="old-shop", state_code="27")
    Membership.objects.create(tenant=shop, user=owner, role=Role.OWNER)
    contract_start_trial(tenant=shop, caused_by="test")
    assert _customer_writes(shop, owner, make_client) == (302, 201)
