"""The bench database: made afresh each run, migrated, and filled with shops that look like real ones.

Imported by the harness once Django is set up with the bench DATABASE_URL. Users get unusable
passwords: nobody logs in through the form (sessions are written directly), and hashing 1,500
passwords with the production hasher would take minutes.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from importlib import import_module

import environ
import psycopg
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from psycopg import sql

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.core.rls import rls_bypass
from apps.inventory.models import MetalRate, Purity, StockItem
from apps.tenants.access.session import SESSION_KEY as ACTIVE_TENANT_KEY
from apps.tenants.models import Membership, Role, Tenant
from apps.tenants.services import api_key_create, tenant_create

AUDIT_EVENTS_PER_SHOP = 50
# 3-5 members besides the owner: one admin (who may read the audit trail), the rest staff.
MEMBERS_PER_SHOP = (3, 5)

FIRST_NAMES = [
    "Aarav", "Ananya", "Deepak", "Farhan", "Gauri", "Harpreet", "Ishaan", "Jyoti", "Kavya", "Lakshmi",
    "Manoj", "Meera", "Nikhil", "Pooja", "Rahul", "Riya", "Sanjay", "Shreya", "Suresh", "Vikram",
]  # fmt: skip
SURNAMES = [
    "Agarwal", "Bhat", "Chopra", "Desai", "Gupta", "Iyer", "Jain", "Kapoor", "Mehta", "Nair",
    "Patel", "Rao", "Reddy", "Shah", "Sharma", "Soni", "Verma", "Zaveri",
]  # fmt: skip
SHOP_WORDS = ["Jewellers", "Gold House", "Alankar", "Swarna Mahal", "Ratna Bhandar", "Abhushan"]
CITIES = ["Mumbai", "Pune", "Nagpur", "Nashik", "Thane", "Kolhapur", "Aurangabad"]
ACTIONS = [
    ("tenant.update", "Changed address"),
    ("tenant.update", "Changed GSTIN"),
    ("invitation.create", "Invited {email} as Staff"),
    ("invitation.revoke", "Revoked the invitation of {email}"),
    ("member.join", "{email} joined as Staff"),
    ("member.role_change", "Changed {email} from Staff to Admin"),
    ("api_key.create", "Created API key “Tally sync” with the Staff role"),
]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 Version/17.6 Mobile/15E148",
]


@dataclass
class Credential:
    """What one simulated person sends: a session cookie for pages and an API key for the API."""

    tenant_id: int
    user_id: int
    role: str
    session_key: str
    api_key: str
    draft_id: int | None = None  # a sale being rung up in the person's shop (seed_sales)


@dataclass
class Seeded:
    shops: int
    users: int
    memberships: int
    audit_events: int
    seconds: float
    credentials: list[Credential] = field(default_factory=list)


def database_recreate(url: str, owner: str | None = None) -> dict:
    """Drop and create the bench database; returns its django-environ config.

    Refuses anything but PostgreSQL (SQLite would measure file locking, not the application), and
    any database whose name lacks "bench", so that a mistyped URL can never drop real data. With an
    `owner` role, the superuser postgres (same host and port; a password from PGPASSWORD or
    ~/.pgpass) drops it and creates it owned by that role, as `manage.py db_roles` does; otherwise
    the URL's own user does both.
    """
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(
            f"make bench needs PostgreSQL, not {config['ENGINE'].rsplit('.', 1)[-1]}: set BENCH_DATABASE_URL "
            "to postgres://USER@HOST:5432/tijori_bench (the database is dropped and recreated)."
        )
    name = config["NAME"]
    if "bench" not in name:
        raise SystemExit(
            f"Refusing to drop database {name!r}: the bench database's name must contain 'bench'."
        )
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": "postgres" if owner else config.get("USER") or None,
        "password": None if owner else config.get("PASSWORD") or None,
        "dbname": "postgres",
        "connect_timeout": 5,
        "autocommit": True,
    }
    try:
        conn = psycopg.connect(**{k: v for k, v in params.items() if v is not None})
    except psycopg.OperationalError as exc:
        raise SystemExit(
            f"Cannot reach PostgreSQL at {config.get('HOST')}:{config.get('PORT')}: {exc}"
        ) from None
    with conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        if conn.info.server_version >= 130000:
            # A session left over from an interrupted run would otherwise block the drop.
            drop = drop + sql.SQL(" WITH (FORCE)")
        conn.execute(drop)
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if owner:
            create = create + sql.SQL(" OWNER {}").format(sql.Identifier(owner))
        conn.execute(create)
    return config


def database_migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


@rls_bypass()  # platform-wide setup: every shop's rows, whichever role the harness connects as
def seed(*, shops: int, people: int, seed_value: int = 42) -> Seeded:
    """`shops` shops with members, audit trails and one API key each; `people` logged-in sessions.

    Sessions go round the shops (owner first, then the admin), so any number of simulated users
    is spread over as many different tenants as there are.
    """
    started = time.perf_counter()
    rng = random.Random(seed_value)
    now = timezone.now()

    def person(email: str) -> User:
        user = User(email=email, full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}")
        user.set_unusable_password()
        return user

    owners = User.objects.bulk_create([person(f"owner{i}@shop{i}.bench.tijori.in") for i in range(shops)])
    team_sizes = [rng.randint(*MEMBERS_PER_SHOP) for _ in range(shops)]
    team_users = User.objects.bulk_create(
        [person(f"member{j}@shop{i}.bench.tijori.in") for i in range(shops) for j in range(team_sizes[i])]
    )

    tenants: list[Tenant] = []
    owner_memberships: list[Membership] = []
    keys: list[str] = []
    for i, owner in enumerate(owners):
        # Through the services, as a real signup would go: slug, owner membership, audit event, key.
        name = f"{rng.choice(SURNAMES)} {rng.choice(SHOP_WORDS)} {rng.choice(CITIES)} {i}"
        tenant = tenant_create(owner=owner, kind=Tenant.Kind.SHOP, name=name, state_code="27")
        membership = Membership.objects.get(tenant=tenant, user=owner)
        _key, secret = api_key_create(
            tenant=tenant, actor=owner, actor_membership=membership, name="bench", role=Role.ADMIN
        )
        tenants.append(tenant)
        owner_memberships.append(membership)
        keys.append(secret)

    memberships: list[Membership] = []
    admins: list[User] = []
    position = 0
    for i, tenant in enumerate(tenants):
        team = team_users[position : position + team_sizes[i]]
        position += team_sizes[i]
        admins.append(team[0])
        memberships += [
            Membership(tenant=tenant, user=user, role=Role.ADMIN if j == 0 else Role.STAFF)
            for j, user in enumerate(team)
        ]
    Membership.objects.bulk_create(memberships)

    # tenant_create and api_key_create wrote two events per shop; the rest of ~50 are history.
    events: list[AuditEvent] = []
    position = 0
    for i, tenant in enumerate(tenants):
        team = [owners[i], *team_users[position : position + team_sizes[i]]]
        position += team_sizes[i]
        for _ in range(AUDIT_EVENTS_PER_SHOP - 2):
            actor = rng.choice(team)
            action, summary = rng.choice(ACTIONS)
            events.append(
                AuditEvent(
                    tenant=tenant,
                    actor=actor,
                    actor_label=actor.email,
                    action=action,
                    target_type="tenants.tenant",
                    target_id=str(tenant.pk),
                    summary=summary.format(email=rng.choice(team).email),
                    ip_address=f"49.36.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                    user_agent=rng.choice(USER_AGENTS),
                    request_id=uuid.UUID(int=rng.getrandbits(128)).hex,
                    created_at=now - timedelta(seconds=rng.randint(60, 365 * 24 * 3600)),
                )
            )
    # force_insert semantics: bulk_create only inserts, which AuditEvent allows.
    AuditEvent.objects.bulk_create(events, batch_size=2000)

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    credentials: list[Credential] = []
    with transaction.atomic():
        for k in range(people):
            i = k % shops
            user, role = (owners[i], Role.OWNER) if (k // shops) % 2 == 0 else (admins[i], Role.ADMIN)
            store = store_class()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store[ACTIVE_TENANT_KEY] = tenants[i].pk
            store.create()
            credentials.append(
                Credential(
                    tenant_id=tenants[i].pk,
                    user_id=user.pk,
                    role=role,
                    session_key=store.session_key,
                    api_key=keys[i],
                )
            )

    return Seeded(
        shops=shops,
        users=len(owners) + len(team_users),
        memberships=shops + len(memberships),
        audit_events=AuditEvent.objects.count(),
        seconds=round(time.perf_counter() - started, 1),
        credentials=credentials,
    )


STOCK_NAMES = [
    ("Temple necklace", "necklace"), ("Kada bangle", "bangle"), ("Solitaire ring", "ring"),
    ("Jhumka earrings", "earring"), ("Rope chain", "chain"), ("Lakshmi pendant", "pendant"),
    ("Gold coin", "coin"), ("Nose pin", "other"), ("Anklet pair", "other"),
]  # fmt: skip


STOCK_SHARES = [(("gold", 916), 70), (("gold", 750), 15), (("gold", 999), 5), (("silver", 925), 10)]
STOCK_RATES = {("gold", 916): "6690", ("gold", 750): "5475", ("gold", 999): "7300", ("silver", 925): "88"}
HUID_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def stock_item_random(
    *, rng: random.Random, n: int, tenant: Tenant, purities: dict, huids: set[str]
) -> StockItem:
    """Article number `n` of a busy shop's stock, unsaved, with the values the services would set: net
    weight, HSN, hallmark status matching the HUID (unique within `huids`, which it extends),
    exemptions with reasons; about one hallmarked article in five is sold."""
    key = rng.choices([k for k, _ in STOCK_SHARES], [w for _, w in STOCK_SHARES])[0]
    name, category = rng.choice(STOCK_NAMES)
    gross = Decimal(str(round(rng.uniform(0.8, 60), 3)))
    stones = Decimal(str(round(float(gross) * rng.choice([0, 0, 0.05, 0.12]), 3)))
    item = StockItem(
        tenant=tenant, sku=f"BN-{n:05}", name=name, category=category, purity=purities[key],
        gross_weight=gross, stone_weight=stones, net_weight=gross - stones,
        hsn_code="7106" if key[0] == "silver" else "7113", making_charge_value=Decimal("450"),
    )  # fmt: skip
    roll = rng.random()
    if key[0] == "gold" and gross < 2:
        item.hallmark_status, item.exemption = "exempt", "under_2g"
    elif key[0] == "gold" and roll < 0.7:
        while (huid := "".join(rng.choices(HUID_LETTERS, k=6))) in huids:
            pass
        huids.add(huid)
        item.huid, item.hallmark_status, item.ready_for_sale = huid, "hallmarked", True
        item.stock_status = "sold" if roll < 0.15 else "in_stock"
    return item


@rls_bypass()
def seed_stock(*, tenants: list[Tenant], items_per_shop: int, seed_value: int = 7) -> int:
    """`items_per_shop` articles in each of `tenants`, with today's rates: a busy shop's stock.

    Inserted in bulk (the services would take minutes for 10,000 articles), with the values the
    services would set: net weight, HSN, hallmark status matching the HUID, exemptions with reasons.
    """
    rng = random.Random(seed_value)
    purities = {(p.metal, p.fineness): p for p in Purity.objects.all()}
    today = timezone.localdate()
    total = 0
    for tenant in tenants:
        MetalRate.objects.bulk_create(
            MetalRate(tenant=tenant, purity=purities[key], rate_per_gram=Decimal(rate), effective_on=today)
            for key, rate in STOCK_RATES.items()
        )
        huids: set[str] = set()
        items = []
        for n in range(items_per_shop):
            item = stock_item_random(rng=rng, n=n, tenant=tenant, purities=purities, huids=huids)
            items.append(item)
        StockItem.objects.bulk_create(items, batch_size=2000)
        total += len(items)
    return total


@rls_bypass()
def seed_sales(*, credentials: list[Credential], invoices_per_shop: int) -> tuple[int, int]:
    """Each shop of `credentials` gets a GSTIN, a few customers and `invoices_per_shop` issued bills,
    and each person a sale being rung up (a draft of two lines): what the sale pages show all day.

    Through the services, as the counter makes them; the PDFs are left to the workers (none runs).
    Returns the invoices issued and the drafts opened; each credential gets its draft's id.
    """
    from stdnum import luhn

    from apps.invoicing import services
    from tests.benchmarks.invoicing import tasks_to_broker
    from tests.tenants.factories import gstin_verified

    rng = random.Random(11)
    shops = Tenant.objects.in_bulk(sorted({c.tenant_id for c in credentials}))
    owner_memberships = Membership.objects.filter(tenant__in=shops.values(), role=Role.OWNER)
    owners = {m.tenant_id: m.user for m in owner_memberships.select_related("user")}
    repair = {"description": "Polish and repair", "hsn_code": "9987"}
    issued = 0
    customers: dict[int, list] = {}
    with tasks_to_broker():
        for n, shop in enumerate(shops.values()):
            body = f"27AABCB{n + 1:04d}K1Z"
            Tenant.objects.filter(pk=shop.pk).update(
                gstin=body + luhn.calc_check_digit(body, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                address=f"{n} Zaveri Bazaar, Mumbai",
            )
            shop = shops[shop.pk] = gstin_verified(shop)  # issuing GST invoices needs a verified GSTIN
            owner = owners[shop.pk]
            customers[shop.pk] = [
                services.customer_create(
                    tenant=shop,
                    actor=owner,
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                    phone=f"98200 {rng.randint(10000, 99999)}",
                    state_code="27",
                    address="Mumbai",
                )
                for _ in range(5)
            ]
            for _ in range(invoices_per_shop):
                draft = services.invoice_draft_create(
                    tenant=shop, actor=owner, customer=rng.choice(customers[shop.pk]),
                    lines=[{**repair, "amount": str(rng.randint(200, 4000))}],
                )  # fmt: skip
                services.invoice_issue(tenant=shop, actor=owner, invoice=draft)
                issued += 1
        for credential in credentials:
            shop = shops[credential.tenant_id]
            draft = services.invoice_draft_create(
                tenant=shop, actor=owners[shop.pk], customer=rng.choice(customers[shop.pk]),
                lines=[{**repair, "amount": "850"}, {"description": "Gift box", "hsn_code": "4819", "amount": "120",
                                                      "gst_rate": "18"}],
            )  # fmt: skip
            credential.draft_id = draft.pk
    return issued, len(credentials)
