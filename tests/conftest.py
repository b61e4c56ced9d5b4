"""Shared fixtures, and the rule that service-backed tests never skip silently in CI.

Tests marked `postgres`, `redis`, `worker`, `browser` or `replica` skip on a bare machine (so `make test` works
with nothing installed), but when TIJORI_REQUIRE_SERVICES=1 (CI) such a skip is turned into a failure.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection, connections

from apps.tenants.access.session import SESSION_KEY
from apps.tenants.models import Membership, Role, Tenant
from apps.tenants.services import tenant_create
from tests.accounts.factories import PASSWORD, UserFactory

SERVICE_MARKERS = ("postgres", "redis", "worker", "browser", "replica")
STRICT = os.environ.get("TIJORI_REQUIRE_SERVICES") == "1"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def _service_missing(item) -> str | None:
    names = {m.name for m in item.iter_markers()}
    if "postgres" in names and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if "redis" in names and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    if "replica" in names and "replica" not in settings.DATABASES:
        return (
            "needs a streaming replica: `make replica-start`, then DATABASE_READ_URL=postgres://...:5433/..."
        )
    if "browser" in names and not shutil.which("chromium"):
        return "needs Chromium: apt-get install chromium"
    return None


@pytest.fixture(autouse=True)
def _require_services(request):
    reason = _service_missing(request.node)
    if reason:
        if STRICT:
            pytest.fail(f"{reason} (TIJORI_REQUIRE_SERVICES=1 forbids skipping)")
        pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if STRICT and report.skipped and any(item.get_closest_marker(m) for m in SERVICE_MARKERS):
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} skipped, but TIJORI_REQUIRE_SERVICES=1 forbids skipping it"
    return report


# --- PostgreSQL: built by the owner role, tested as the app role with row-level security on ------------

_APP_LOGIN: dict = {}


def _owner_login() -> dict:
    """The owner role's login; with one role for everything, the default connection's."""
    owner = settings.DATABASES.get("owner") or settings.DATABASES["default"]
    return {"USER": owner["USER"], "PASSWORD": owner.get("PASSWORD", "")}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The owner role builds the test database: the app role may not create a table."""
    if "owner" in settings.DATABASES:
        default = connections["default"].settings_dict
        _APP_LOGIN.update(USER=default["USER"], PASSWORD=default.get("PASSWORD", ""))
        default.update(_owner_login())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Then every test connects as the app role, as web, workers and beat do in production."""
    default = connections["default"]
    if default.vendor != "postgresql":
        yield
        return
    operations = type(default.ops)
    original_flush = operations.execute_sql_flush
    operations.execute_sql_flush = _flush_as_owner  # a transactional test's flush, on any connection
    if _APP_LOGIN:
        default.close()
        default.settings_dict.update(_APP_LOGIN)
    yield
    operations.execute_sql_flush = original_flush
    if _APP_LOGIN:
        default.close()
        default.settings_dict.update(_owner_login())  # the owner drops the test database


def _flush_as_owner(ops, sql_list) -> None:
    """A transactional test's flush, done by the owner with the audit trail's guards lifted.

    The app role has no TRUNCATE, and the audit table refuses TRUNCATE from anyone; only the owner
    may switch its triggers off, in the same transaction as the flush.
    """
    import psycopg

    db = ops.connection.settings_dict
    login = _owner_login()
    info = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432, "dbname": db["NAME"]}
    info.update(user=login["USER"], **({"password": login["PASSWORD"]} if login["PASSWORD"] else {}))
    with psycopg.connect(**info) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal"
        )
        guarded = [row[0] for row in cursor.fetchall()]
        for table in guarded:
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        for statement in sql_list:
            cursor.execute(statement)
        for table in guarded:
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')


@pytest.fixture(autouse=True)
def _platform_scope_in_test_bodies():
    """A test's own setup and checks see every tenant, as admin and the sweeps do. The requests it sends
    act for their tenant only (the middleware scopes them), and so does each task a worker runs."""
    from apps.core.rls import rls_bypass

    with rls_bypass():
        yield


@pytest.fixture(autouse=True)
def _clear_cache(db):
    """Throttle counters, lockouts and health keys must not leak from one test to the next."""
    from django.core.cache import cache

    if settings.REDIS_URL:  # this run's keys only: another run may share the Redis database
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(f"{settings.CACHES['default']['KEY_PREFIX']}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _seeded_reference_data(db):
    """Purities, GST rates (the platform's SAC among them) and AMC plans come from data migrations; a
    transactional test's flush empties them."""
    from importlib import import_module

    from django.apps import apps as django_apps

    from apps.billing.models import Plan
    from apps.gst.models import GstRate
    from apps.inventory.models import Purity

    if not Purity.objects.exists():
        import_module("apps.inventory.migrations.0002_seed_purities").seed(django_apps, None)
    if not GstRate.objects.exists():
        import_module("apps.gst.migrations.0002_seed_rates").seed(django_apps, None)
        import_module("apps.gst.migrations.0003_unregistered_rate").seed(django_apps, None)
        import_module("apps.billing.migrations.0005_platform_sac_rate").seed(django_apps, None)
    if not Plan.objects.exists():
        import_module("apps.billing.migrations.0002_seed_plans").seed(django_apps, None)


@pytest.fixture
def assert_app_queries():
    """`with assert_app_queries(3):` as django_assert_num_queries, counting the application's own
    queries only: on the embedded defaults the cache (throttle counters) and the sessions are database
    tables, which Redis serves in production; their queries (and savepoints) are not what a page or
    list costs."""
    from contextlib import contextmanager

    from django.test.utils import CaptureQueriesContext

    # With Redis the cache and the sessions are read there; on the embedded defaults they are tables.
    embedded = "DatabaseCache" in settings.CACHES["default"]["BACKEND"]
    tables = [f'"{settings.CACHES["default"]["LOCATION"]}"', '"django_session"'] if embedded else []

    # The database cache writes in a savepoint of its own.
    SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")

    class Counted:
        count = 0

    @contextmanager
    def check(expected: int | None = None):
        """With no `expected`, only counts: `.count` of what it yields, after the block."""
        counted = Counted()
        with CaptureQueriesContext(connection) as captured:
            yield counted
        queries = [
            q["sql"] for q in captured.captured_queries
            if not any(table in q["sql"] for table in tables) and not q["sql"].startswith(SAVEPOINTS)
        ]  # fmt: skip
        counted.count = len(queries)
        if expected is not None:
            assert len(queries) == expected, f"{len(queries)} queries, not {expected}:\n" + "\n".join(queries)

    return check


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@shop-a.in", full_name="Asha Owner")


@pytest.fixture
def tenant(owner) -> Tenant:
    return tenant_create(owner=owner, kind=Tenant.Kind.SHOP, name="Shop A Jewellers", state_code="27")


@pytest.fixture
def other_owner(db):
    return UserFactory(email="owner@shop-b.in", full_name="Bala Owner")


@pytest.fixture
def other_tenant(other_owner) -> Tenant:
    return tenant_create(owner=other_owner, kind=Tenant.Kind.SHOP, name="Shop B Gold", state_code="33")


def add_member(tenant: Tenant, role: str, email: str | None = None):
    user = UserFactory(**({"email": email} if email else {}))
    Membership.objects.create(tenant=tenant, user=user, role=role)
    return user


@pytest.fixture
def admin_user(tenant):
    return add_member(tenant, Role.ADMIN, "admin@shop-a.in")


@pytest.fixture
def staff_user(tenant):
    return add_member(tenant, Role.STAFF, "staff@shop-a.in")


def login(client, user, tenant: Tenant | None = None):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if tenant is not None:
        session = client.session
        session[SESSION_KEY] = tenant.pk
        session.save()
    return client


@pytest.fixture
def owner_client(client, owner, tenant):
    return login(client, owner, tenant)


@pytest.fixture
def make_client():
    from django.test import Client

    def _make(user, tenant=None):
        return login(Client(), user, tenant)

    return _make


@pytest.fixture
def api(tenant, owner):
    """An API client holding an owner-role key of `tenant`."""
    from tests.api_helpers import ApiClient, make_key

    return ApiClient(make_key(tenant, owner, "owner"))


@pytest.fixture
def certificates_in_tmp(settings, tmp_path, monkeypatch):
    """Certificate files go to this test's own folder, not the project's media."""
    from django.core.files.storage import storages

    from apps.inventory.models import Certificate

    settings.STORAGES = {
        **settings.STORAGES,
        "certificates": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "certificates")},
        },
    }
    storages._storages = {}
    # FileField resolves its storage callable once, at import: point it at this test's folder too.
    monkeypatch.setattr(Certificate._meta.get_field("file"), "storage", storages["certificates"])
    monkeypatch.setattr(Tenant._meta.get_field("gstin_certificate"), "storage", storages["certificates"])
    yield tmp_path / "certificates"
    storages._storages = {}


@pytest.fixture
def imports_in_tmp(tmp_path, monkeypatch):
    """Uploaded stock files go to this test's own folder."""
    from django.core.files.storage import FileSystemStorage

    from apps.inventory.models import StockImport

    storage = FileSystemStorage(location=str(tmp_path / "imports"))
    monkeypatch.setattr(StockImport._meta.get_field("file"), "storage", storage)
    return tmp_path / "imports"


@pytest.fixture
def certificates_in_s3(settings, monkeypatch):
    """The `certificates` storage on an S3 bucket in moto: presigned links, as in production."""
    import boto3
    from django.core.files.storage import storages
    from moto import mock_aws

    from apps.inventory.models import Certificate

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        boto3.client("s3", region_name="ap-south-1").create_bucket(
            Bucket="tijori-test-certificates", CreateBucketConfiguration={"LocationConstraint": "ap-south-1"}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "certificates": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "tijori-test-certificates",
                    "region_name": "ap-south-1",
                    "signature_version": "s3v4",
                    "querystring_auth": True,
                    "querystring_expire": 300,
                    "default_acl": None,
                    "file_overwrite": False,
                },
            },
        }
        storages._storages = {}
        monkeypatch.setattr(Certificate._meta.get_field("file"), "storage", storages["certificates"])
        monkeypatch.setattr(Tenant._meta.get_field("gstin_certificate"), "storage", storages["certificates"])
        yield storages["certificates"]
        storages._storages = {}


INVOICES_BUCKET = "tijori-test-invoices"


@pytest.fixture
def invoices_in_s3(settings, monkeypatch):
    """The `invoices` storage on a moto bucket with versioning and Object Lock, set up by the settings
    code production runs; the bucket's default retention is one day (COMPLIANCE), the floor."""
    import boto3
    from django.core.files.storage import storages
    from moto import mock_aws

    from apps.invoicing.models import Invoice
    from config.settings.storages import _storage

    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("S3_BUCKET_INVOICES", INVOICES_BUCKET)
    with mock_aws():
        s3 = boto3.client("s3", region_name="ap-south-1")
        s3.create_bucket(
            Bucket=INVOICES_BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-south-1"},
            ObjectLockEnabledForBucket=True,
        )  # fmt: skip
        s3.put_object_lock_configuration(
            Bucket=INVOICES_BUCKET,
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}},
            },
        )  # fmt: skip
        settings.STORAGES = {**settings.STORAGES, "invoices": _storage("invoices")}
        storages._storages = {}
        monkeypatch.setattr(Invoice._meta.get_field("pdf"), "storage", storages["invoices"])
        yield storages["invoices"]
        storages._storages = {}


@pytest.fixture
def invoices_s3_calls(invoices_in_s3):
    """Every request the `invoices` storage sends to S3, in order, as (operation, parameters): read off
    botocore's own events, so what is recorded is what went out."""
    calls: list[tuple[str, dict]] = []

    def record(params, model, **kwargs):
        calls.append((model.name, dict(params)))

    invoices_in_s3.connection.meta.client.meta.events.register("before-parameter-build.s3", record)
    return calls
