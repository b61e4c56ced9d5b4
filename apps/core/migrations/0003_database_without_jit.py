"""PostgreSQL's JIT compiler switched off for the database (new connections).

The planner compiles a query to machine code when its estimated cost passes `jit_above_cost`
(100,000 by default). A page of a long list passes it easily: the invoice list's amounts are
subqueries per row, and the estimate of a page counts them for every row the OFFSET skips. Measured on
a shop with 100,000 documents: page 3 of the invoice API ran in 6 ms of execution and 220 ms of JIT
compilation. Queries of a web request are short; what JIT saves on long reports is far less than what
it costs on every list, so it is off. Only the database's owner (or a superuser) may set it: run as
another role, the migration says so and leaves the setting alone.
"""

from django.db import migrations

JIT_OFF = """
DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM pg_database d JOIN pg_roles r ON r.rolname = current_user
        WHERE d.datname = current_database() AND (d.datdba = r.oid OR r.rolsuper)
    ) THEN
        EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
    ELSE
        RAISE NOTICE 'jit left as it is: % does not own database %', current_user, current_database();
    END IF;
END
$$;
"""
JIT_DEFAULT = """
DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM pg_database d JOIN pg_roles r ON r.rolname = current_user
        WHERE d.datname = current_database() AND (d.datdba = r.oid OR r.rolsuper)
    ) THEN
        EXECUTE format('ALTER DATABASE %I RESET jit', current_database());
    END IF;
END
$$;
"""


def jit_off(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(JIT_OFF, params=None)


def jit_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(JIT_DEFAULT, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_idempotency_key_per_caller")]

    operations = [migrations.RunPython(jit_off, jit_default, elidable=False)]
