"""/admin/stats/ with thousands of shops and three years of AMC billing: its time, queries and peak memory.

Shops are seeded in bulk (bulk_create, as a bench seed may: the rows are what the services leave, the
events' `details` written as `transition_record` writes them), each signed up on a day of the last three
years on the AMC plan (four in five) or a dearer one, with a life drawn at random: most trials convert
(some in their grace), a few lapse; each year most renew (early or on time), some in grace, some late
after expiring, some stop; now and then a complimentary period, an extension, a plan change at renewal,
or a payment refunded by a credit note (the shop then stops). Every renewal has its payment (GST
included) and Tijori's invoice. The contract is left where its dates put it.

Seeded in two steps (a tenth of BENCH_STATS_SHOPS, then the rest); after each, an ANALYZE, then the page
is asked for by a super admin through Django's test client (in-process, no server): once to warm up,
then REPEATS times, timed; its SQL queries counted (they must not grow with the shops), and the peak of
Python's own allocations over one more request (tracemalloc, which slows what it watches). Printed:
shops, contract events, payments, median and slowest seconds, queries, peak MB.

On a migrated PostgreSQL database (DATABASE_URL and REDIS_URL), without the web load test:
    python manage.py shell -c "from tests.benchmarks import billing_stats as b; b.print_figures(b.measure())"
"""

from __future__ import annotations

import os
import random
import statistics
import time as clock
import tracemalloc
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import User
from apps.billing.models import BillingPayment, Contract, ContractEvent, Plan, PlatformInvoice, PlatformSeries
from apps.billing.services.transitions import year_from
from apps.core.money import rupees
from apps.core.rls import rls_bypass
from apps.gst.periods import FinancialYear, retain_until
from apps.gst.words import rupees_in_words
from apps.tenants.models import Tenant

SHOPS = int(os.environ.get("BENCH_STATS_SHOPS", "") or 5000)
REPEATS = 5
YEARS = 3
BATCH = 2000
GST = Decimal("0.18")
S, A, K = Contract.State, ContractEvent.Action, Contract.PeriodKind


@dataclass
class _Shop:
    """One shop's life as the services would have written it."""

    tenant: Tenant
    plan: Plan
    events: list[tuple[str, str, str, dict]] = field(default_factory=list)  # action, from, to, details
    payments: list[tuple[int, date, Decimal, date | None]] = field(
        default_factory=list
    )  # event no, day, amount, refund
    kind: str = K.TRIAL
    start: date | None = None
    end: date | None = None
    price: Decimal = Decimal("0.00")


def _iso(value):
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return (
        value.isoformat()
        if isinstance(value, date)
        else (str(value) if isinstance(value, Decimal) else value)
    )


def _life(shop: _Shop, signed_up: date, today: date, plans: list[Plan], rng: random.Random) -> None:
    """Draw the shop's history from `signed_up` to `today`."""
    plan = shop.plan
    state = S.TRIALING
    start, end = signed_up, signed_up + timedelta(days=plan.trial_days - 1)

    def event(action, to_state, **details):
        nonlocal state
        shop.events.append(
            (action, state if shop.events else "", to_state, {k: _iso(v) for k, v in details.items()})
        )
        state = to_state

    event(A.TRIAL_STARTED, S.TRIALING, plan=plan.code, period_start=start, period_end=end)
    first = True
    while True:
        roll = rng.random()
        grace_end = end + timedelta(days=plan.grace_days)
        if first:  # a trial: most convert, some in its grace, a few lapse
            paid_on = start + timedelta(days=rng.randrange(plan.trial_days)) if roll < 0.62 else (
                end + timedelta(days=rng.randint(1, plan.grace_days)) if roll < 0.72 else None)  # fmt: skip
        else:
            if roll < 0.02 and end + timedelta(days=1) <= today:  # a complimentary quarter, then carry on
                comp_end = end + timedelta(days=91)
                event(A.COMPED, S.ACTIVE, period_start=end + timedelta(days=1), period_end=[end, comp_end])
                start, end, shop.kind, shop.price = end + timedelta(days=1), comp_end, K.COMP, Decimal("0.00")
                continue
            if roll < 0.05:  # a few days more, by a super admin
                days = rng.randint(7, 30)
                event(
                    A.EXTENDED,
                    state,
                    days=days,
                    period_end=[end, end + timedelta(days=days)],
                    grace_until=None,
                )
                end += timedelta(days=days)
                grace_end = end + timedelta(days=plan.grace_days)
            paid_on = (
                end - timedelta(days=rng.randint(0, 30)) if roll < 0.80  # early or on time
                else end + timedelta(days=rng.randint(1, plan.grace_days)) if roll < 0.88  # in grace
                else grace_end + timedelta(days=rng.randint(5, 90)) if roll < 0.93  # late, after expiring
                else None  # stops
            )  # fmt: skip
        if paid_on is not None and paid_on > end and end < today:
            event(A.GRACE_STARTED, S.GRACE, period_end=end, grace_until=grace_end)
            if paid_on > grace_end and grace_end < today:
                event(A.EXPIRED, S.EXPIRED, period_end=end, grace_until=grace_end)
        if paid_on is None or paid_on > today:
            if paid_on is None and end < today:
                if state not in (S.GRACE, S.EXPIRED):
                    event(A.GRACE_STARTED, S.GRACE, period_end=end, grace_until=grace_end)
                if grace_end < today:
                    event(A.EXPIRED, S.EXPIRED, period_end=end, grace_until=grace_end)
            break
        if not first and rng.random() < 0.03:  # a plan change before paying
            other = rng.choice([p for p in plans if p.pk != plan.pk])
            event(
                A.PLAN_CHANGED,
                state,
                plan=[plan.code, other.code],
                yearly_price=[plan.yearly_price, other.yearly_price],
            )
            plan = shop.plan = other
        new_start = end + timedelta(days=1) if paid_on <= grace_end else paid_on
        amount = rupees(plan.yearly_price * (1 + GST))
        event(A.RENEWED, S.ACTIVE, paid_on=paid_on, amount=amount, price=plan.yearly_price, period_start=new_start,
              period_end=[end, year_from(new_start)], year_starts="after the period" if paid_on <= grace_end else "on the payment date")  # fmt: skip
        refund = paid_on + timedelta(days=rng.randint(3, 40)) if rng.random() < 0.01 else None
        shop.payments.append(
            (len(shop.events) - 1, paid_on, amount, refund if refund and refund <= today else None)
        )
        start, end, shop.kind, shop.price = new_start, year_from(new_start), K.PAID, plan.yearly_price
        first = False
        if refund:
            break
    shop.start, shop.end = start, end


def _contract(shop: _Shop, today: date) -> Contract:
    grace_end = shop.end + timedelta(days=shop.plan.grace_days)
    if shop.end >= today:
        state = S.TRIALING if shop.kind == K.TRIAL else S.ACTIVE
    else:
        state = S.GRACE if grace_end >= today else S.EXPIRED
    return Contract(
        tenant=shop.tenant, plan=shop.plan, state=state, period_kind=shop.kind, period_start=shop.start,
        period_end=shop.end, grace_until=grace_end if state in (S.GRACE, S.EXPIRED) else None,
        period_price=shop.price,
    )  # fmt: skip


def _plans(rng: random.Random) -> list[Plan]:
    amc = Plan.objects.get(code="amc")
    plus, _made = Plan.objects.get_or_create(
        code="bench-plus",
        defaults={"name": "AMC Plus", "for_kind": "shop", "yearly_price": Decimal("15000.00"), "trial_days": 30,
                  "grace_days": 20, "is_default": False, "is_active": True},
    )  # fmt: skip
    return [amc, plus]


def _series(fy: FinancialYear, doc_type: str) -> PlatformSeries:
    series, _made = PlatformSeries.objects.get_or_create(
        doc_type=doc_type, fy_start_year=fy.start_year,
        defaults={"code": "TJ" if doc_type == "invoice" else "TJC", "number_format": "{CODE}/{FY}/{NNNNN}"},
    )  # fmt: skip
    return series


def _seed(count: int, first: int, stamp: str, today: date, rng: random.Random) -> tuple[int, int]:
    """`count` more shops with their histories; (events, payments) written."""
    plans = _plans(rng)
    days = YEARS * 365
    shops, signups = [], []
    for n in range(first, first + count):
        signed_up = today - timedelta(days=rng.randint(1, days))
        tenant = Tenant(kind="shop", name=f"Bench Gold {n}", slug=f"bench-stats-{stamp}-{n}", state_code="27",
                        address="1 Bench Road, Mumbai")  # fmt: skip
        shop = _Shop(tenant=tenant, plan=plans[0] if rng.random() < 0.8 else plans[1])
        _life(shop, signed_up, today, plans, rng)
        signups.append(timezone.make_aware(datetime.combine(signed_up, time(11))))
        shops.append(shop)
    Tenant.objects.bulk_create([s.tenant for s in shops], batch_size=BATCH)
    for shop, signed_up in zip(shops, signups, strict=True):  # auto_now_add made it now: the signup day
        shop.tenant.created_at = signed_up
    Tenant.objects.bulk_update([s.tenant for s in shops], ["created_at"], batch_size=BATCH)
    contracts = Contract.objects.bulk_create([_contract(s, today) for s in shops], batch_size=BATCH)
    events = []
    for shop, contract in zip(shops, contracts, strict=True):
        events += [
            ContractEvent(tenant=shop.tenant, contract=contract, action=action, from_state=from_state,
                          to_state=to_state, caused_by="bench seed", details=details)
            for action, from_state, to_state, details in shop.events
        ]  # fmt: skip
    ContractEvent.objects.bulk_create(events, batch_size=BATCH)
    payments, refunds, offset = [], [], 0
    for shop, contract in zip(shops, contracts, strict=True):
        for number, paid_on, amount, refund in shop.payments:
            payment = BillingPayment(
                tenant=shop.tenant, contract=contract, method="bank", reference=f"UTR{stamp}{len(payments)}",
                amount=amount, paid_on=paid_on, caused_by="bench seed", renewal=events[offset + number],
                retain_until=retain_until(paid_on),
            )  # fmt: skip
            payments.append(payment)
            refunds.append(refund)
        offset += len(shop.events)
    BillingPayment.objects.bulk_create(payments, batch_size=BATCH)
    invoices = [_document(p, "invoice", p.paid_on, stamp) for p in payments]
    PlatformInvoice.objects.bulk_create(invoices, batch_size=BATCH)
    notes = [_document(i.payment, "credit_note", day, stamp, original=i)
             for i, day in zip(invoices, refunds, strict=True) if day is not None]  # fmt: skip
    PlatformInvoice.objects.bulk_create(notes, batch_size=BATCH)
    return len(events), len(payments)


_WORDS: dict[Decimal, str] = {}
_SERIES: dict[tuple[int, str], PlatformSeries] = {}


def _document(
    payment: BillingPayment, doc_type: str, day: date, stamp: str, original=None
) -> PlatformInvoice:
    """Tijori's invoice for a payment, or the credit note reversing it, numbered apart from real ones."""
    fy = FinancialYear.of(day)
    key = (fy.start_year, doc_type)
    if key not in _SERIES:
        _SERIES[key] = _series(fy, doc_type)
    taxable = rupees(payment.amount / (1 + GST))
    half = rupees((payment.amount - taxable) / 2)
    words = _WORDS.setdefault(payment.amount, rupees_in_words(payment.amount))
    return PlatformInvoice(
        tenant=payment.tenant, doc_type=doc_type, payment=payment, original=original,
        reason="Refund asked for" if original else "", series=_SERIES[key],
        number=f"{'C' if original else 'B'}{stamp[-4:]}-{payment.pk}"[:16], issued_on=day,
        seller_name=settings.PLATFORM_LEGAL_NAME or "Tijori", seller_gstin=settings.PLATFORM_GSTIN or "27AAICT4821M1ZX",
        seller_state_code="27", seller_address="Mumbai", buyer_name=payment.tenant.name, buyer_state_code="27",
        place_of_supply="27", description="Annual maintenance contract", sac="998313", gst_rate=Decimal("18"),
        taxable_value=taxable, cgst=half, sgst=half, total=payment.amount, amount_in_words=words,
        retain_until=retain_until(day),
    )  # fmt: skip


def _analyze() -> None:
    schema_connection = connections["owner" if "owner" in settings.DATABASES else "default"]
    with schema_connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE tenants_tenant, billing_contract, billing_contractevent, billing_billingpayment, "
            "billing_platforminvoice"
        )
    schema_connection.close()


def _page(client: Client) -> tuple[float, int, int]:
    """Seconds, queries and status of one request for the dashboard."""
    with CaptureQueriesContext(connection) as queries:
        started = clock.perf_counter()
        status = client.get("/admin/stats/").status_code
        seconds = clock.perf_counter() - started
    return seconds, len(queries), status


def measure(shops: int = SHOPS) -> dict:
    rng = random.Random(2026)
    stamp = clock.strftime("%H%M%S")
    today = timezone.localdate()
    with rls_bypass():
        admin = User.objects.create_user(
            f"bench-stats-{stamp}-{os.getpid()}@example.in",
            "bench-pass-2026",
            full_name="Bench Root",
            is_staff=True,
            is_superuser=True,
        )
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    rows, seeded, events, payments = [], 0, 0, 0
    for size in sorted({max(1, shops // 10), shops}):
        started = clock.perf_counter()
        with rls_bypass():
            more_events, more_payments = _seed(size - seeded, seeded, stamp, today, rng)
        events, payments, seeded = events + more_events, payments + more_payments, size
        seed_seconds = clock.perf_counter() - started
        _analyze()
        _page(client)  # warm: templates compiled, the planner's first plans
        timings = [_page(client) for _ in range(REPEATS)]
        tracemalloc.start()
        try:
            _page(client)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        with rls_bypass():
            all_shops = Tenant.objects.filter(kind="shop").count()
        rows.append({
            "bench_shops": size, "shops": all_shops, "events": events, "payments": payments,
            "seed_seconds": round(seed_seconds, 1), "median_s": round(statistics.median(t[0] for t in timings), 3),
            "max_s": round(max(t[0] for t in timings), 3), "queries": sorted({t[1] for t in timings}),
            "status": sorted({t[2] for t in timings}), "peak_mb": round(peak / 1e6, 1),
        })  # fmt: skip
    return {"years": YEARS, "repeats": REPEATS, "rows": rows}


def print_figures(figures: dict) -> None:
    print(
        f"\n/admin/stats/ with {figures['years']} years of AMC billing (a super admin, Django's test client, "
        f"median of {figures['repeats']} requests):"
    )
    header = (
        f"  {'shops':>7}{'events':>9}{'payments':>10}{'median s':>10}{'max s':>8}{'queries':>9}{'peak MB':>9}"
        f"{'status':>8}"
    )
    print(header + "\n  " + "-" * (len(header) - 2))
    for row in figures["rows"]:
        queries = "/".join(str(q) for q in row["queries"])
        status = "/".join(str(s) for s in row["status"])
        print(
            f"  {row['shops']:>7,}{row['events']:>9,}{row['payments']:>10,}{row['median_s']:>10.3f}"
            f"{row['max_s']:>8.3f}{queries:>9}{row['peak_mb']:>9.1f}{status:>8}"
        )
    print(
        "  shops: every shop in the database (the bench's and any seeded before); queries: the same at every\n"
        "  size, or the page loops per shop; peak MB: the most Python held at once in one request."
    )
