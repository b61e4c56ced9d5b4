"""Daily logical backups of the database into the `backups` storage, and restoring one into a new database.

RDS keeps its own snapshots (point-in-time, inside the same account and region). A `pg_dump` is the
copy that survives the loss of the instance, the account's snapshots or a bad migration, and that
restores anywhere: into a new database next to the live one for a drill, or onto another server.

The dump is taken as the app role acting as the platform role (`--role`, BYPASSRLS, SELECT on every
table), so the worker needs no owner credentials; the restore runs as the owner, which creates the
new database and owns what is restored in it, with the app and platform roles' grants, the
row-level-security policies and the retention triggers exactly as they were. It never writes into an
existing database.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connections
from django.utils import timezone
from psycopg import sql

from apps.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

BACKUP_STORAGE = "backups"
BACKUP_FOLDER = "database"


class BackupError(ApplicationError):
    """A dump or a restore that could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class RestoreSummary:
    database: str
    tables: int
    rows: int
    policies: int
    triggers: int


def backup_name(day: date) -> str:
    return f"{BACKUP_FOLDER}/tijori-{day:%Y-%m-%d}.dump"


def _login(config: dict) -> tuple[dict, dict]:
    """psycopg keyword arguments and the libpq environment for a Django database's settings."""
    info = {"host": config.get("HOST") or "127.0.0.1", "port": str(config.get("PORT") or 5432)}
    info["user"] = config.get("USER") or ""
    environment = {"PGHOST": info["host"], "PGPORT": info["port"], "PGUSER": info["user"]}
    if config.get("PASSWORD"):
        info["password"] = environment["PGPASSWORD"] = config["PASSWORD"]
    return info, environment


def _owner() -> dict:
    """The owner role's login (the one role's, without DATABASE_OWNER_URL)."""
    return connections["owner" if "owner" in settings.DATABASES else "default"].settings_dict


def _run(command: list[str], environment: dict) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client (postgresql-client)."
        )
    done = subprocess.run(  # noqa: S603 - fixed programs, arguments from settings
        [tool, *command[1:]],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _require_postgresql() -> None:
    if connections["default"].vendor != "postgresql":
        raise BackupError("Backups need PostgreSQL: set DATABASE_URL. The SQLite file can simply be copied.")


def database_backup(*, day: date | None = None) -> str:
    """Dump the database into the backups storage as that day's file; return its name.

    Idempotent: a second run on the same day keeps the first dump. The dump is checked readable
    (`pg_restore --list`) before it is stored, so a stored file is a restorable one.
    """
    _require_postgresql()
    name = backup_name(day or timezone.now().date())
    storage = storages[BACKUP_STORAGE]
    if storage.exists(name):
        logger.info("backup %s already taken", name)
        return name
    config = connections["default"].settings_dict
    _info, environment = _login(config)
    command = ["pg_dump", "--format=custom", "--no-password", f"--dbname={config['NAME']}"]
    if settings.DATABASE_PLATFORM_ROLE:
        command.append(f"--role={settings.DATABASE_PLATFORM_ROLE}")  # sees every tenant's rows
    with tempfile.TemporaryDirectory(prefix="tijori-backup-") as folder:
        path = Path(folder) / "tijori.dump"
        _run([*command, f"--file={path}"], environment)
        _run(["pg_restore", "--list", str(path)], {})
        with path.open("rb") as dump:
            stored = storage.save(name, File(dump, name=name))
        size = path.stat().st_size
    logger.info("backup %s stored (%d bytes)", stored, size)
    return stored


def _fetch(source: str, folder: Path) -> Path:
    """A dump from a local path, or by its name in the backups storage."""
    local = Path(source)
    if local.is_file():
        return local
    storage = storages[BACKUP_STORAGE]
    if not storage.exists(source):
        raise BackupError(
            f"No dump named {source}: give a file's path, or a name from the backups storage "
            f"(like {backup_name(timezone.now().date())})."
        )
    path = folder / "restore.dump"
    with storage.open(source, "rb") as stored, path.open("wb") as copy:
        shutil.copyfileobj(stored, copy)
    return path


def database_restore(*, source: str, database: str) -> RestoreSummary:
    """Restore a dump into a new database named `database`, as the owner role; nothing if it fails.

    Refuses a database that exists, so a restore can never overwrite the live one. The roles the dump
    grants to (owner, app, platform) must exist on the server: run `manage.py db_roles` first on a new
    one. On any error the new database is dropped again.
    """
    _require_postgresql()
    info, environment = _login(_owner())
    with psycopg.connect(**info, dbname="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            raise BackupError(
                f"The database {database} already exists. A restore never overwrites one: choose a new name."
            )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    try:
        with tempfile.TemporaryDirectory(prefix="tijori-restore-") as folder:
            path = _fetch(source, Path(folder))
            _run(
                [
                    "pg_restore",
                    "--no-password",
                    "--no-owner",  # everything belongs to whoever restores: the owner role
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={database}",
                    str(path),
                ],
                environment,
            )
        summary = _summary(info, database)
    except BaseException:
        database_drop(database=database)
        raise
    logger.info("restored %s into %s: %s", source, database, summary)
    return summary


def database_drop(*, database: str) -> None:
    """Drop a database made by a restore (a drill's), closing whatever is connected to it."""
    if database == connections["default"].settings_dict["NAME"]:
        raise BackupError("That is the database Tijori runs on; it is never dropped from here.")
    info, _environment = _login(_owner())
    with psycopg.connect(**info, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))


def _summary(info: dict, database: str) -> RestoreSummary:
    with psycopg.connect(**info, dbname=database) as conn:
        tables = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ).fetchall()
        rows = sum(
            conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for (table,) in tables
        )
        policies = conn.execute("SELECT count(*) FROM pg_policies WHERE schemaname = 'public'").fetchone()[0]
        triggers = conn.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal").fetchone()[0]
    return RestoreSummary(
        database=database, tables=len(tables), rows=rows, policies=policies, triggers=triggers
    )
