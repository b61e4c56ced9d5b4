"""The restore drill: a dump of a seeded database restores into a new one with every row, sequence,
retention trigger and row-level-security policy, and the restored database enforces them."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connections

from apps.core import backups
from apps.invoicing import services as invoicing
from tests.inventory.factories import StockItemFactory
from tests.invoicing.conftest import other_shop, shop  # noqa: F401 - fixtures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = date(2026, 1, 31)


@pytest.fixture(autouse=True)
def backups_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "backups")},
        },
    }
    storages._storages.pop("backups", None)
    yield
    storages._storages.pop("backups", None)


@pytest.fixture
def restored_name():
    name = f"{connections['default'].settings_dict['NAME']}_restored"
    yield name
    backups.database_drop(database=name)


@pytest.fixture
def seeded(shop, other_shop, owner, other_owner):  # noqa: F811 - fixtures
    for n in range(3):
        StockItemFactory(tenant=shop, actor=owner, sku=f"A-{n}")
    StockItemFactory(tenant=other_shop, actor=other_owner, sku="B-0")
    invoice = invoicing.invoice_draft_create(tenant=shop, actor=owner)
    invoicing.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=invoice, description="Polish", hsn_code="9987", amount="100"
    )
    return invoicing.invoice_issue(tenant=shop, actor=owner, invoice=invoice)


def _connect(database: str, login: dict):
    info = {"host": login.get("HOST") or "127.0.0.1", "port": login.get("PORT") or 5432, "dbname": database}
    info["user"] = login["USER"]
    if login.get("PASSWORD"):
        info["password"] = login["PASSWORD"]
    return psycopg.connect(**info)


def _state(database: str) -> dict:
    """Everything the drill must find again, read as the owner."""
    with _connect(database, connections["owner"].settings_dict) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
            )
        ]
        return {
            "rows": {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables},  # noqa: S608
            "sequences": set(
                conn.execute(
                    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
                ).fetchall()
            ),
            "triggers": set(
                conn.execute(
                    "SELECT c.relname, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                    "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
                ).fetchall()
            ),
            "policies": set(
                conn.execute(
                    "SELECT tablename, policyname, roles::text, qual, with_check FROM pg_policies"
                ).fetchall()
            ),
            "rls": set(
                conn.execute(
                    "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                    "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
                ).fetchall()
            ),
            "grants": set(
                conn.execute(
                    "SELECT table_name, grantee, privilege_type FROM information_schema.role_table_grants "
                    "WHERE grantee = ANY(%s)",
                    [[settings.DATABASE_APP_ROLE, settings.DATABASE_PLATFORM_ROLE]],
                ).fetchall()
            ),
        }


def test_a_dump_restores_rows_sequences_triggers_and_policies(seeded, shop, restored_name):  # noqa: F811
    name = backups.database_backup(day=DAY)
    assert name == "database/tijori-2026-01-31.dump" and storages["backups"].exists(name)

    summary = backups.database_restore(source=name, database=restored_name)

    before, after = _state(connections["default"].settings_dict["NAME"]), _state(restored_name)
    assert before["rows"]["inventory_stockitem"] == 4 and before["rows"]["invoicing_invoice"] == 1
    assert before["rows"]["audit_auditevent"] > 0
    for part in ("rows", "sequences", "triggers", "policies", "rls", "grants"):
        assert after[part] == before[part], part
    assert ("invoicing_invoice", "invoicing_invoice_frozen") in {t[:2] for t in after["triggers"]}
    assert ("inventory_stockitem", "tenant_isolation") in {p[:2] for p in after["policies"]}
    assert ("inventory_stockitem", True, True) in after["rls"]
    assert summary.rows == sum(before["rows"].values()) and summary.policies == len(before["policies"])

    # The restored database enforces them against the app role, as the live one does.
    with _connect(restored_name, connections["default"].settings_dict) as conn:
        assert conn.execute("SELECT count(*) FROM inventory_stockitem").fetchone()[0] == 0  # no tenant set
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", [str(shop.pk)])
        assert conn.execute("SELECT count(*) FROM inventory_stockitem").fetchone()[0] == 3
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="cannot be deleted"):
            conn.execute("DELETE FROM invoicing_invoice WHERE id = %s", [seeded.pk])
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("TRUNCATE audit_auditevent")


def test_a_second_backup_the_same_day_keeps_the_first(seeded):
    name = backups.database_backup(day=DAY)
    stored = storages["backups"].path(name)
    first = open(stored, "rb").read()  # noqa: SIM115
    assert backups.database_backup(day=DAY) == name
    assert storages["backups"].listdir("database")[1] == ["tijori-2026-01-31.dump"]
    assert open(stored, "rb").read() == first  # noqa: SIM115


def _databases() -> set[str]:
    with _connect("postgres", connections["owner"].settings_dict) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def test_a_restore_never_touches_an_existing_database(seeded):
    live = connections["default"].settings_dict["NAME"]
    name = backups.database_backup(day=DAY)
    rows = _state(live)["rows"]
    with pytest.raises(backups.BackupError, match="already exists"):
        backups.database_restore(source=name, database=live)
    assert _state(live)["rows"] == rows


def test_a_missing_dump_is_refused_and_leaves_no_database(db, restored_name):
    with pytest.raises(backups.BackupError, match=r"No dump named database/nothing\.dump"):
        backups.database_restore(source="database/nothing.dump", database=restored_name)
    assert restored_name not in _databases()


def test_a_broken_dump_is_refused_and_leaves_no_database(db, restored_name, tmp_path):
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP not really")
    with pytest.raises(backups.BackupError, match="pg_restore failed"):
        backups.database_restore(source=str(broken), database=restored_name)
    assert restored_name not in _databases()


def test_make_restore_runs_the_command(seeded, restored_name, capsys):
    name = backups.database_backup(day=DAY)
    call_command("db_restore", name, "--database", restored_name)
    out = capsys.readouterr().out
    assert f"Restored into {restored_name}:" in out and "row-level-security policies" in out
