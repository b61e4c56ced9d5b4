"""Reports, registers and exports read from a real streaming replica; everything else, and anyone who
has just written, reads the primary.

The replica is a pg_basebackup of the test server streaming on another port (`make replica-start`,
as CI does). Pausing its WAL replay makes it deterministically stale, so each test can tell which
server answered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import psycopg
import pytest
from django.conf import settings
from django.db import connections, router, transaction
from django.test import Client
from django.urls import reverse

from apps.core.db.replica import (
    REPLICA,
    WRITTEN_COOKIE,
    primary_position,
    replica_has_replayed,
    replica_reads,
)
from apps.inventory.models import StockItem
from apps.tenants.models import Role
from config.env import database_url
from tests.conftest import add_member, login
from tests.inventory.factories import StockItemFactory, item_post

EXPORT = reverse("inventory:stock_export")


def _settings_in_a_fresh_process(module: str, environment: dict, expression: str) -> str:
    """Settings are read once at import: a new interpreter reads them from this environment."""
    code = f"import django, os; django.setup(); from django.conf import settings; print({expression})"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": module, **environment},
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return done.stdout.strip()


def test_database_urls_are_made_of_the_parts_ecs_hands_over(monkeypatch):
    for name in (
        "DATABASE_URL",
        "DATABASE_OWNER_URL",
        "DATABASE_SUPERUSER_URL",
        "DATABASE_SUPERUSER_PASSWORD",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_HOST", "db.internal")
    monkeypatch.setenv("DATABASE_OWNER_USER", "tijori_owner")
    monkeypatch.setenv("DATABASE_OWNER_PASSWORD", "p@ss/w:rd")
    assert database_url("DATABASE_OWNER") == "postgres://tijori_owner:p%40ss%2Fw%3Ard@db.internal:5432/tijori"
    assert database_url("DATABASE_SUPERUSER") == ""  # no password given: not configured
    monkeypatch.setenv("DATABASE_OWNER_URL", "postgres://o@elsewhere/x")
    assert database_url("DATABASE_OWNER") == "postgres://o@elsewhere/x"  # a URL wins


def test_a_read_host_is_a_replica_with_the_primarys_login():
    replica = _settings_in_a_fresh_process(
        "config.settings.test",
        {
            "DATABASE_URL": "postgres://tijori_app:secret@db.internal:5432/tijori",
            "DATABASE_READ_URL": "",
            "DATABASE_READ_HOST": "replica.internal",
        },
        "[settings.DATABASES['replica'][k] for k in ('HOST', 'USER', 'PASSWORD', 'NAME', 'ENGINE')]",
    )
    assert replica == "['replica.internal', 'tijori_app', 'secret', 'tijori', 'apps.core.db.postgresql']"


def test_production_allows_the_ecs_task_address_for_the_balancers_health_checks(tmp_path):
    metadata = json.dumps({"Networks": [{"IPv4Addresses": ["10.10.4.21"]}]}).encode()

    class Metadata(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(metadata)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Metadata)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        hosts = _settings_in_a_fresh_process(
            "config.settings.production",
            {
                "DJANGO_SECRET_KEY": "x" * 60,
                "DJANGO_ALLOWED_HOSTS": "app.tijori.in",
                "ECS_CONTAINER_METADATA_URI_V4": f"http://127.0.0.1:{server.server_port}/v4/abc",
                "TIJORI_VAR_DIR": str(tmp_path),
            },
            "settings.ALLOWED_HOSTS",
        )
    finally:
        server.shutdown()
    assert hosts == "['app.tijori.in', '10.10.4.21']"


def test_the_read_views_name_real_pages():
    for name in settings.DATABASE_READ_VIEWS:
        reverse(name)  # raises if a page was renamed and left this list


ON_REPLICA = [
    pytest.mark.postgres,
    pytest.mark.replica,
    # Without a replica the tests skip (tests/conftest.py); the alias must not be asked for then.
    pytest.mark.django_db(
        transaction=True, databases=["default", *([REPLICA] if REPLICA in settings.DATABASES else [])]
    ),
]


def _replica_superuser():
    db = connections[REPLICA].settings_dict
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"], user="postgres", dbname="postgres", autocommit=True
    )


def _caught_up(timeout: float = 15.0) -> None:
    position = primary_position()
    deadline = time.monotonic() + timeout
    while not replica_has_replayed(position):
        assert time.monotonic() < deadline, "the replica did not catch up with the primary"
        time.sleep(0.05)


@pytest.fixture
def replay():
    """Pause and resume the replica's WAL replay; always resumed at the end."""

    class Replay:
        def pause(self):
            with _replica_superuser() as conn:
                conn.execute("SELECT pg_wal_replay_pause()")
                # Paused for real only once the startup process has stopped applying WAL.
                while conn.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != "paused":
                    time.sleep(0.02)

        def resume(self):
            with _replica_superuser() as conn:
                conn.execute("SELECT pg_wal_replay_resume()")
            _caught_up()

    control = Replay()
    yield control
    with _replica_superuser() as conn:
        conn.execute("SELECT pg_wal_replay_resume()")


def _export_skus(client) -> set[str]:
    response = client.get(EXPORT)
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    return {line.split(",")[0] for line in lines[1:]}


class TestOnTheReplica:
    pytestmark = ON_REPLICA

    def test_an_export_reads_the_replica_and_the_stock_page_the_primary(
        self, replay, owner_client, tenant, owner
    ):
        StockItemFactory(tenant=tenant, actor=owner, sku="OLD-1")
        _caught_up()
        replay.pause()
        StockItemFactory(tenant=tenant, actor=owner, sku="NEW-1")  # committed on the primary only

        assert _export_skus(owner_client) == {"OLD-1"}  # the export streamed from the stale replica
        page = owner_client.get(reverse("inventory:stock_list")).content.decode()
        assert "NEW-1" in page and "OLD-1" in page  # the stock page reads the primary

        replay.resume()
        assert _export_skus(owner_client) == {"OLD-1", "NEW-1"}

    def test_a_page_opened_right_after_a_write_is_not_stale(self, replay, owner_client, tenant, owner):
        colleague = login(Client(), add_member(tenant, Role.ADMIN, "colleague@shop-a.in"), tenant)
        StockItemFactory(tenant=tenant, actor=owner, sku="OLD-2")
        _caught_up()
        replay.pause()

        response = owner_client.post(reverse("inventory:stock_create"), item_post(sku="NEW-2"))
        assert response.status_code == 302 and WRITTEN_COOKIE in response.cookies

        # The writer's next pages read the primary until the replica has replayed their write...
        assert _export_skus(owner_client) == {"OLD-2", "NEW-2"}
        trail = owner_client.get(reverse("audit:list")).content.decode()
        assert "NEW-2" in trail
        # ...while someone who wrote nothing still reads the (stale) replica.
        assert _export_skus(colleague) == {"OLD-2"}
        assert "NEW-2" not in colleague.get(reverse("audit:list")).content.decode()

        replay.resume()
        assert _export_skus(colleague) == {"OLD-2", "NEW-2"}
        assert "NEW-2" in colleague.get(reverse("audit:list")).content.decode()

    def test_writes_and_transactions_never_use_the_replica(self, replay, tenant, owner):
        with replica_reads():
            assert router.db_for_read(StockItem) == REPLICA
            assert router.db_for_write(StockItem) == "default"
            with transaction.atomic():
                assert router.db_for_read(StockItem) == "default"  # a transaction sees its own writes
            _caught_up()
            replay.pause()
            item = StockItemFactory(tenant=tenant, actor=owner, sku="W-1")
            assert not StockItem.objects.filter(pk=item.pk).exists()  # read on the replica: not there yet
            with transaction.atomic():
                assert StockItem.objects.filter(pk=item.pk).exists()
        assert StockItem.objects.filter(pk=item.pk).exists()  # outside replica_reads(): the primary

    def test_an_unreachable_replica_is_skipped(self, owner_client, tenant, owner):
        StockItemFactory(tenant=tenant, actor=owner, sku="UP-1")
        replica = connections[REPLICA]
        port = replica.settings_dict["PORT"]
        replica.close()
        replica.settings_dict["PORT"] = 1  # nothing listens there
        try:
            assert _export_skus(owner_client) == {"UP-1"}  # answered by the primary
        finally:
            replica.close()
            replica.settings_dict["PORT"] = port
