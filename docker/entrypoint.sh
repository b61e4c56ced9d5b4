#!/bin/sh
# Wait for the database, apply migrations (web only, unless told otherwise), then run the command.
set -eu

python - <<'PY'
import os, sys, time
import django
django.setup()
import psycopg
from django.db import connections
from django.db.utils import OperationalError
deadline = time.monotonic() + int(os.environ.get("TIJORI_DB_WAIT_SECONDS", "60"))
from config.env import database_url
superuser = database_url("DATABASE_SUPERUSER")
while True:
    try:
        if superuser:  # the roles may not exist yet: db_roles makes them next
            psycopg.connect(superuser, connect_timeout=5).close()
        else:
            connections["default"].ensure_connection()
        break
    except (OperationalError, psycopg.OperationalError) as exc:
        if time.monotonic() > deadline:
            print(f"database not reachable: {exc}", file=sys.stderr)
            sys.exit(1)
        print("waiting for the database...", file=sys.stderr)
        time.sleep(2)
PY

if [ "${TIJORI_MIGRATE:-0}" = "1" ]; then
    if [ -n "${DATABASE_SUPERUSER_URL:-}${DATABASE_SUPERUSER_PASSWORD:-}" ]; then
        python manage.py db_roles
    fi
    python manage.py migrate --noinput
    python manage.py createcachetable
fi

exec "$@"
