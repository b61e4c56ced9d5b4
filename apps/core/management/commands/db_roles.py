"""Create the PostgreSQL roles Tijori runs as, and the database, owned by the owner role.

- owner (DATABASE_OWNER_URL): runs migrations and owns every table; BYPASSRLS, and CREATEDB so that
  the test suite can build its own database.
- app (DATABASE_URL): web, workers and beat. Owns nothing; SELECT, INSERT, UPDATE and DELETE only
  (granted after each migrate), so it cannot TRUNCATE, ALTER a table, or disable or drop a trigger
  or a policy. Subject to row-level security.
- platform (DATABASE_PLATFORM_ROLE): no login, BYPASSRLS; the app role may switch to it, which only
  `apps.core.rls.rls_bypass()` does, for platform-wide work.

Run once per cluster by a superuser (roles are cluster-wide), then `migrate` as usual. Safe to run
again; it also hands tables made earlier by another role to the owner.
"""

from __future__ import annotations

import environ
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql

from config.env import database_url


def _conninfo(config: dict, dbname: str) -> dict:
    info = {"host": config.get("HOST") or "127.0.0.1", "port": config.get("PORT") or 5432, "dbname": dbname}
    for key, name in (("USER", "user"), ("PASSWORD", "password")):
        if config.get(key):
            info[name] = config[key]
    return info


def _ensure_role(cursor, name: str, password: str | None, attributes: str) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    verb = "ALTER" if cursor.fetchone() else "CREATE"
    statement = sql.SQL(f"{verb} ROLE {{}} {attributes}").format(sql.Identifier(name))
    if password:
        statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
    cursor.execute(statement)


class Command(BaseCommand):
    help = "Create the owner, app and platform PostgreSQL roles and the database (run as a superuser)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--superuser-url",
            default="",
            help="A superuser's URL (default: DATABASE_SUPERUSER_URL, or DATABASE_SUPERUSER_USER and "
            "_PASSWORD on DATABASE_HOST, else postgres@ the same host).",
        )

    def handle(self, *args, **options):
        if "owner" not in settings.DATABASES:
            raise CommandError("Set DATABASE_OWNER_URL (the owner role) and DATABASE_URL (the app role).")
        app, owner = settings.DATABASES["default"], settings.DATABASES["owner"]
        if not app.get("USER") or app.get("USER") == owner.get("USER"):
            raise CommandError(
                "DATABASE_URL must name an app role other than the owner of DATABASE_OWNER_URL."
            )
        platform = settings.DATABASE_PLATFORM_ROLE
        env = environ.Env()
        su_url = options["superuser_url"] or database_url("DATABASE_SUPERUSER")
        su = env.db_url_config(su_url) if su_url else {**owner, "USER": "postgres", "PASSWORD": ""}
        dbname = app["NAME"]
        with psycopg.connect(**_conninfo(su, "postgres"), autocommit=True) as conn, conn.cursor() as cur:
            _ensure_role(cur, owner["USER"], owner.get("PASSWORD"), "LOGIN CREATEDB BYPASSRLS NOSUPERUSER")
            _ensure_role(cur, app["USER"], app.get("PASSWORD"), "LOGIN NOBYPASSRLS NOSUPERUSER NOCREATEDB")
            _ensure_role(cur, platform, None, "NOLOGIN BYPASSRLS NOSUPERUSER")
            cur.execute(
                sql.SQL("GRANT {} TO {}").format(sql.Identifier(platform), sql.Identifier(app["USER"]))
            )
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
            if cur.fetchone() is None:
                cur.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(dbname), sql.Identifier(owner["USER"])
                    )
                )
            else:
                cur.execute(
                    sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                        sql.Identifier(dbname), sql.Identifier(owner["USER"])
                    )
                )
        with psycopg.connect(**_conninfo(su, dbname), autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner <> %s",
                [owner["USER"]],
            )
            for (table,) in cur.fetchall():
                cur.execute(
                    sql.SQL("ALTER TABLE {} OWNER TO {}").format(
                        sql.Identifier(table), sql.Identifier(owner["USER"])
                    )
                )
            cur.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                    sql.Identifier(dbname), sql.Identifier(app["USER"])
                )
            )
        self.stdout.write(
            f"Roles ready: owner {owner['USER']}, app {app['USER']}, platform {platform}; database {dbname}. "
            "Now run `manage.py migrate` (as the owner), which grants the app role its rights."
        )
