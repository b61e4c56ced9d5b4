"""The dashboard's stock figures come from the cache until a write changes them (`apps.core.figures`).

Every kind of write that changes what they add up shows on the next request (the walk below: a write,
and what it changes); two shops' figures never mix; each role gets its own view of the one cached
copy; a new day is computed afresh; a cache that is down still leaves the page rendered from the
database, and writes still go through.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.figures import tenant_figure, tenant_figures_changed
from apps.inventory import services as inventory_services
from apps.inventory.models import Certificate, HallmarkBatch, Purity, StockItem
from apps.invoicing import services as invoicing_services
from apps.tenants.services import tenant_stock_settings_update
from tests.conftest import add_member, login
from tests.inventory.conftest import PDF
from tests.inventory.imports.rows import check
from tests.invoicing.conftest import article, buyer, draft_with, other_shop, shop  # noqa: F401

pytestmark = pytest.mark.django_db

URL = reverse("tenants:dashboard")


def _k22() -> Purity:
    return Purity.objects.get(metal="gold", fineness=916)


def _k18() -> Purity:
    return Purity.objects.get(metal="gold", fineness=750)


def _figures(client) -> dict:
    """What the dashboard shows of the stock: per purity pieces, grams and value; the total; the
    today's-rate reminder; the compliance counts."""
    context = client.get(URL).context
    valuation, compliance = context["valuation"], context["compliance"]
    return {
        "lines": {
            line["purity"].label: (line["pieces"], line["grams"], line["value"])
            for line in valuation["lines"]
        },
        "total": valuation["total"],
        "rate_missing": context["rate_missing"],
        "missing_huid": compliance["missing_huid_count"],
        "at_centre": compliance["at_centre_count"],
        "unreported": compliance["unreported_count"],
    }


def _stock_queries(client) -> list[str]:
    """The queries of one dashboard request that read the articles (none when the figures are cached)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "inventory_stockitem" in q["sql"]]


@dataclass
class Shop:
    """A shop with a hallmarked 22K ring (9.5 g net), a 22K chain of 5 g without its HUID, and an 18K
    pendant without a rate; today's 22K rate is ₹6,500 a gram."""

    tenant: object
    owner: object
    buyer: object
    client: Client
    ring: StockItem
    chain: StockItem
    pendant: StockItem
    kept: dict = field(default_factory=dict)  # what a case's preparation made, for its write


@pytest.fixture
def stocked(shop, owner, buyer, client) -> Shop:  # noqa: F811
    ring = article(shop, owner)
    chain = inventory_services.stock_item_create(
        tenant=shop, actor=owner, name="Rope chain", purity=_k22(), gross_weight="5"
    )
    pendant = inventory_services.stock_item_create(
        tenant=shop, actor=owner, name="Pendant", purity=_k18(), gross_weight="3", huid="P00001",
        hallmark_status="hallmarked",
    )  # fmt: skip
    return Shop(shop, owner, buyer, login(client, owner, shop), ring, chain, pendant)


def _line(figures: dict, label: str) -> tuple:
    return figures["lines"][label]


def _with_line(figures: dict, label: str, *, pieces: int = 0, grams: str = "0", value: Decimal | None = None):
    """`figures` with one purity's line moved by `pieces` and `grams` (and its value set to `value`,
    or recomputed at ₹6,500 a gram for 22K), the total following."""
    old_pieces, old_grams, old_value = _line(figures, label)
    new_grams = old_grams + Decimal(grams)
    if value is None and old_value is not None:
        value = (new_grams * 6500).quantize(Decimal("0.01"))
    total = figures["total"] - (old_value or 0) + (value or 0)
    lines = {**figures["lines"], label: (old_pieces + pieces, new_grams, value)}
    return {**figures, "lines": lines, "total": total}


def _send(s: Shop, *items: StockItem) -> HallmarkBatch:
    return inventory_services.hallmark_batch_send(
        tenant=s.tenant, actor=s.owner, centre_name="AHC Zaveri", request_number=f"R-{items[0].pk}",
        sent_on=timezone.localdate(), item_ids=[item.pk for item in items],
    )  # fmt: skip


def _issue_ring(s: Shop):
    invoice = draft_with(s.tenant, s.owner, s.ring, customer=s.buyer)
    return invoicing_services.invoice_issue(tenant=s.tenant, actor=s.owner, invoice=invoice)


# --- the walk: a write, and what the dashboard shows next ---------------------------------------------


def _none(s: Shop) -> None:
    return None


def _prepare_received(s: Shop) -> None:
    """The chain back from the centre with its HUID, without the AHC report: one unreported article."""
    batch = _send(s, s.chain)
    inventory_services.hallmark_batch_receive(
        tenant=s.tenant, actor=s.owner, batch=batch, received_on=timezone.localdate(),
        huids={s.chain.pk: "C00001"},
    )  # fmt: skip
    s.kept["batch"] = batch


def _prepare_sent(s: Shop) -> None:
    s.kept["batch"] = _send(s, s.chain)


def _prepare_issued(s: Shop) -> None:
    s.kept["invoice"] = _issue_ring(s)


def _write_receive(s: Shop) -> None:
    inventory_services.hallmark_batch_receive(
        tenant=s.tenant, actor=s.owner, batch=s.kept["batch"], received_on=timezone.localdate(),
        huids={s.chain.pk: "C00001"},
    )  # fmt: skip


def _write_report(s: Shop) -> None:
    inventory_services.certificate_upload(
        tenant=s.tenant, actor=s.owner, kind=Certificate.Kind.AHC_REPORT,
        upload=SimpleUploadedFile("report.pdf", PDF, "application/pdf"), batch_id=s.kept["batch"].pk,
    )  # fmt: skip


def _write_import(s: Shop) -> None:
    stock_import = check(s.tenant, s.owner, [{"name": "Imported chain", "gross_weight": "4.000"}])
    inventory_services.stock_import_run(tenant=s.tenant, actor=s.owner, stock_import=stock_import)


def _write_exemption(s: Shop) -> None:
    t = s.tenant
    tenant_stock_settings_update(
        tenant=t, actor=s.owner, sku_prefix=t.sku_prefix, sku_next_number=t.sku_next_number,
        sku_digits=t.sku_digits, small_turnover_exempt=True,
    )  # fmt: skip


def _write_credit_note(s: Shop) -> None:
    invoice = s.kept["invoice"]
    note = invoicing_services.credit_note_draft_create(
        tenant=s.tenant, actor=s.owner, original=invoice, reason="sales_return"
    )
    line = invoice.lines.get(stock_item=s.ring)
    invoicing_services.credit_note_line_return(tenant=s.tenant, actor=s.owner, note=note, original_line=line)
    invoicing_services.invoice_issue(tenant=s.tenant, actor=s.owner, invoice=note)


K22, K18 = "22K916", "18K750"
WALK = {
    # write: (preparation before the cache is warmed, the write, the figures it leads to)
    "article added": (
        _none,
        lambda s: article(s.tenant, s.owner, name="New ring"),
        lambda f: _with_line(f, K22, pieces=1, grams="9.5"),
    ),
    "article edited (weight)": (
        _none,
        lambda s: inventory_services.stock_item_update(
            tenant=s.tenant, actor=s.owner, item=s.ring, gross_weight="12.000"
        ),
        lambda f: _with_line(f, K22, grams="2"),
    ),
    "article's stock status changed by hand": (
        _none,
        lambda s: inventory_services.stock_item_update(
            tenant=s.tenant, actor=s.owner, item=s.chain, stock_status="returned"
        ),
        lambda f: {**_with_line(f, K22, pieces=-1, grams="-5"), "missing_huid": 0},
    ),
    "article deleted": (
        _none,
        lambda s: inventory_services.stock_item_delete(tenant=s.tenant, actor=s.owner, item=s.chain),
        lambda f: {**_with_line(f, K22, pieces=-1, grams="-5"), "missing_huid": 0},
    ),
    "a rate entered": (
        _none,
        lambda s: inventory_services.metal_rate_set(
            tenant=s.tenant, actor=s.owner, purity=_k22(), rate_per_gram="7000"
        ),
        lambda f: {
            **f,
            "lines": {**f["lines"], K22: (2, Decimal("14.500"), Decimal("101500.00"))},
            "total": Decimal("101500.00"),
        },
    ),
    "the day's rates entered together": (
        _none,
        lambda s: inventory_services.metal_rates_set(tenant=s.tenant, actor=s.owner, rates={_k18(): "5000"}),
        lambda f: _with_line(f, K18, value=Decimal("15000.00")),
    ),
    "batch sent to the centre": (
        _none,
        lambda s: _send(s, s.chain),
        lambda f: {**f, "at_centre": 1},
    ),
    "batch received with HUIDs": (
        _prepare_sent,
        _write_receive,
        lambda f: {**f, "at_centre": 0, "missing_huid": 0, "unreported": 1},
    ),
    "AHC report attached to a batch": (_prepare_received, _write_report, lambda f: {**f, "unreported": 0}),
    "CSV import run": (  # a 22K chain of 4 g, its HUID still to come
        _none,
        _write_import,
        lambda f: {**_with_line(f, K22, pieces=1, grams="4"), "missing_huid": 2},
    ),
    "small-turnover exemption turned on": (_none, _write_exemption, lambda f: {**f, "missing_huid": 0}),
    "invoice issued": (_none, _issue_ring, lambda f: _with_line(f, K22, pieces=-1, grams="-9.5")),
    "invoice cancelled": (
        _prepare_issued,
        lambda s: invoicing_services.invoice_cancel(
            tenant=s.tenant, actor=s.owner, invoice=s.kept["invoice"], reason="Typed the wrong buyer"
        ),
        lambda f: _with_line(f, K22, pieces=1, grams="9.5"),
    ),
    "credit note returning an article": (
        _prepare_issued,
        _write_credit_note,
        lambda f: _with_line(f, K22, pieces=1, grams="9.5"),
    ),
}


@pytest.mark.parametrize("case", list(WALK))
def test_each_kind_of_write_shows_on_the_next_request(case, stocked, certificates_in_tmp, imports_in_tmp):
    prepare, write, expected = WALK[case]
    prepare(stocked)
    before = _figures(stocked.client)
    assert _stock_queries(stocked.client) == [], "the second request must be served from the cache"

    write(stocked)

    assert _figures(stocked.client) == expected(before)


def test_the_walk_starts_from_the_figures_the_shop_holds(stocked):
    """The walk's starting point, so that its expectations read against known figures."""
    assert _figures(stocked.client) == {
        "lines": {
            K22: (2, Decimal("14.500"), Decimal("94250.00")),
            K18: (1, Decimal("3.000"), None),
        },
        "total": Decimal("94250.00"),
        "rate_missing": False,
        "missing_huid": 1,
        "at_centre": 0,
        "unreported": 0,
    }


def test_the_page_shows_the_new_figure_after_a_write(stocked):
    assert "₹94,250.00" in stocked.client.get(URL).content.decode()
    inventory_services.metal_rate_set(
        tenant=stocked.tenant, actor=stocked.owner, purity=_k22(), rate_per_gram="7000"
    )
    assert "₹1,01,500.00" in stocked.client.get(URL).content.decode()


# --- tenants, roles, days -----------------------------------------------------------------------------


def test_two_shops_figures_never_mix_and_a_write_in_one_leaves_the_others_cached(
    stocked,
    other_shop,  # noqa: F811
    other_owner,
):
    inventory_services.metal_rate_set(
        tenant=other_shop, actor=other_owner, purity=_k22(), rate_per_gram="7100"
    )
    inventory_services.stock_item_create(
        tenant=other_shop, actor=other_owner, name="Kada", purity=_k22(), gross_weight="40"
    )
    other_client = login(Client(), other_owner, other_shop)
    mine, theirs = _figures(stocked.client), _figures(other_client)
    assert theirs["lines"] == {K22: (1, Decimal("40.000"), Decimal("284000.00"))}
    assert mine["total"] == Decimal("94250.00")

    article(stocked.tenant, stocked.owner, name="New ring")

    assert _stock_queries(other_client) == []  # still cached: the write was in another shop
    assert _figures(other_client) == theirs
    assert _figures(stocked.client)["lines"][K22][0] == 3


def test_a_figure_is_kept_per_tenant_under_the_same_name(tenant, other_tenant):
    assert tenant_figure(tenant_id=tenant.pk, name="n", compute=lambda: "mine") == "mine"
    assert tenant_figure(tenant_id=other_tenant.pk, name="n", compute=lambda: "theirs") == "theirs"
    assert tenant_figure(tenant_id=tenant.pk, name="n", compute=lambda: "recomputed") == "mine"
    tenant_figures_changed(tenant_id=other_tenant.pk)
    assert tenant_figure(tenant_id=tenant.pk, name="n", compute=lambda: "recomputed") == "mine"
    assert tenant_figure(tenant_id=other_tenant.pk, name="n", compute=lambda: "new") == "new"


def test_a_figure_computed_while_a_write_was_open_is_not_served_after_its_commit(
    tenant, django_capture_on_commit_callbacks
):
    """Another request may compute the figure from the rows before the commit, after the token set at
    once: the token set on commit leaves that copy unread."""
    with django_capture_on_commit_callbacks(execute=True):
        tenant_figures_changed(tenant_id=tenant.pk)
        assert tenant_figure(tenant_id=tenant.pk, name="n", compute=lambda: "before the commit") == (
            "before the commit"
        )
    assert tenant_figure(tenant_id=tenant.pk, name="n", compute=lambda: "after") == "after"


def test_staff_and_owner_read_the_one_cached_copy_each_with_their_rights(stocked, make_client):
    staff = make_client(add_member(stocked.tenant, "staff"), stocked.tenant)
    first = _figures(staff)  # computes and stores the figures
    assert first["total"] is None and {value for _p, _g, value in first["lines"].values()} == {None}
    assert "₹94,250.00" not in staff.get(URL).content.decode()

    assert _stock_queries(stocked.client) == []
    assert _figures(stocked.client)["total"] == Decimal("94250.00")
    assert _figures(staff)["total"] is None


def test_a_new_day_is_computed_afresh(stocked, monkeypatch):
    assert _figures(stocked.client)["rate_missing"] is False  # today's 22K rate is entered
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)

    assert _figures(stocked.client)["rate_missing"] is True


def test_a_bis_registration_recorded_shows_at_once(stocked):
    assert stocked.client.get(URL).context["compliance"]["registration"] == "missing"
    assert _stock_queries(stocked.client) == []
    inventory_services.bis_registration_update(
        tenant=stocked.tenant, actor=stocked.owner, number="CM/L-1234567",
        valid_until=timezone.localdate() + timedelta(days=400),
    )  # fmt: skip
    assert stocked.client.get(URL).context["compliance"]["registration"] == "valid"


# --- queries, and a cache that is down ----------------------------------------------------------------


def test_a_cached_dashboard_costs_five_queries_and_a_cold_one_twelve(stocked, assert_app_queries):
    # user, memberships (switcher), member count, AMC contract, recent events; cold adds the rates,
    # purities, weights by purity and the compliance counts (4)
    with assert_app_queries(12):
        stocked.client.get(URL)
    with assert_app_queries(5):
        stocked.client.get(URL)
    article(stocked.tenant, stocked.owner, name="New ring")
    with assert_app_queries(12):
        stocked.client.get(URL)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def cache_down(settings):
    """A Redis cache whose server is not there (connections refused), as when Redis is down; sessions
    in the database, as `cached_db` keeps them."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


def test_a_cache_outage_still_renders_the_figures_from_the_database(stocked, cache_down):
    client = login(Client(), stocked.owner, stocked.tenant)
    figures = _figures(client)
    assert figures["total"] == Decimal("94250.00") and figures["missing_huid"] == 1

    article(stocked.tenant, stocked.owner, name="New ring")  # the write goes through without its token

    assert _figures(client) == _with_line(figures, K22, pieces=1, grams="9.5")
