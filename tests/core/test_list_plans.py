"""The lists a shop reads all day are planned on their indexes, under row-level security, as the app role.

PostgreSQL is told to avoid whole-table reads and sorts (`enable_seqscan`, `enable_sort` and
`enable_incremental_sort` off), so that on a test's few rows, where sorting one row costs nothing, it
shows the plan it would pick for a shop of 100,000 articles: which index serves each list's filter and
order. A sort still shows when no index can give the order. A query reshaped so that no index fits it any more (a sort that no longer matches one, a count
that reads the table, a filter no index can take under row-level security) fails here, not in a shop.
"""

from datetime import date

import pytest
from django.db import connection

from apps.core.rls import tenant_scope
from apps.inventory import selectors as stock
from apps.invoicing import selectors as sales
from apps.reports.registers import DateRange, sales_register

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _plan(tenant, queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with tenant_scope(tenant.pk), connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_sort", "enable_incremental_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _count_plan(tenant, queryset) -> str:
    """The plan of the list pages' count (COUNT over a LIMIT, as apps.core.pages counts): its rows."""
    return _plan(tenant, queryset.order_by().values("pk")[:1001])


def test_the_stock_list_reads_each_order_and_filter_off_an_index(tenant):
    def page(**filters):
        return _plan(tenant, stock.stock_item_search(tenant=tenant, **filters)[100:150])

    assert "Index Scan using stock_tenant_time" in page()
    assert "Index Scan Backward using stock_tenant_weight" in page(ordering="-net_weight")
    assert "Index Scan using stock_tenant_weight" in page(ordering="net_weight")
    assert "Index Scan using stock_tenant_name" in page(ordering="name")
    assert "Index Scan Backward using stock_tenant_name" in page(ordering="-name")
    # A filter on a status is read in order too: off its own index (tenant, status, newest first), or off
    # the newest-first one when the planner's statistics say most articles match.
    filtered = [page(hallmark_status="hallmarked"), page(stock_status="in_stock")]
    assert "using stock_tenant_hallmark_at" in filtered[0] or "using stock_tenant_time" in filtered[0]
    assert "using stock_tenant_status_time" in filtered[1] or "using stock_tenant_time" in filtered[1]
    for plan in (page(ordering="-net_weight"), page(ordering="name"), *filtered):
        assert "Sort Key" not in plan  # read in order, never sorted whole


def test_the_invoice_list_and_its_unpaid_filter_stay_on_indexes(tenant):
    assert "Index Scan using invoice_tenant_kind_at" in _plan(
        tenant, sales.invoice_list(tenant=tenant)[100:150]
    )
    unpaid = _count_plan(tenant, sales.invoice_search(tenant=tenant, paid="unpaid"))
    assert unpaid.count("Anti Join") == 3, unpaid  # three anti-joins, no sum per invoice
    assert "SubPlan" not in unpaid


def test_the_sales_register_pages_in_its_order(tenant):
    register = sales_register(tenant=tenant, dates=DateRange(date(2026, 10, 1), date(2026, 10, 31)))
    plan = _plan(tenant, register.rows[100:150])
    assert "Index Scan using invoice_tenant_register" in plan and "Sort Key" not in plan


def test_the_database_runs_without_jit():
    """Set once on the database by a migration (apps/core/migrations/0003): new connections inherit it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
            "WHERE d.datname = current_database() AND s.setrole = 0"
        )
        settings = [value for (config,) in cursor.fetchall() for value in config]
    assert "jit=off" in settings
