"""Query counts of the project pages and API: pinned, and the same for one project as for many.

Each test measures a page with little data, adds more rows of what the page lists (projects,
resources, operations by several members), and checks the count has not moved (no N+1), under a
ceiling that catches a page quietly growing new queries.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.provisioning.models import Operation, Project, Resource
from apps.provisioning.services import aws_account_start
from tests.conftest import add_member

pytestmark = pytest.mark.django_db

KINDS = ["role", "bucket", "table", "function", "http_api"]


def make_project(tenant, owner, n: int, *, operations: int = 1, by=None) -> Project:
    now = timezone.now()
    project = Project.objects.create(
        tenant=tenant, name=f"Site {n}", key=f"k{n:07d}", region="ap-south-1", tier="small",
        estimate_usd_month="17.57", infra_state="deployed", deployed_at=now, expires_at=now + timedelta(hours=1),
        created_by=owner,
    )  # fmt: skip
    for kind in KINDS:
        Resource.objects.create(
            tenant=tenant, project=project, kind=kind, name=f"tijori-test-k{n:07d}", region="ap-south-1",
            state="created", physical_id=f"arn:{kind}:{n}",
        )  # fmt: skip
    add_operations(project, operations, by=by or [owner])
    return project


def add_operations(project, count: int, *, by) -> None:
    for i in range(count):
        Operation.objects.create(
            tenant=project.tenant, project=project, action="deploy_app", state="succeeded",
            requested_by=by[i % len(by)], started_at=timezone.now(), finished_at=timezone.now(),
            steps=[{"step": "code", "label": "Lambda code", "state": "done", "at": None}],
        )  # fmt: skip


def members(tenant, count: int):
    return [add_member(tenant, "admin", f"member{i}@shop-a.in") for i in range(count)]


def steady(get, grow, *, ceiling: int, django_assert_max_num_queries, django_assert_num_queries):
    """The page's query count, which must stay the same after `grow()` adds rows, and within `ceiling`.

    A first request warms up what is written once a minute (an API key's last use) or once a session.
    """
    get()
    with django_assert_max_num_queries(ceiling) as first:
        assert get().status_code == 200
    grow()
    with django_assert_num_queries(len(first.captured_queries)):
        assert get().status_code == 200
    return len(first.captured_queries)


@pytest.fixture
def counts(django_assert_max_num_queries, django_assert_num_queries):
    def check(get, grow, ceiling):
        return steady(
            get, grow, ceiling=ceiling,
            django_assert_max_num_queries=django_assert_max_num_queries,
            django_assert_num_queries=django_assert_num_queries,
        )  # fmt: skip

    return check


def test_project_list_page(owner_client, tenant, owner, counts):
    make_project(tenant, owner, 1)
    url = reverse("provisioning:project_list")
    counts(lambda: owner_client.get(url), lambda: [make_project(tenant, owner, n) for n in range(2, 10)], 8)


@pytest.mark.parametrize("page", ["infrastructure", "application", "status"])
def test_project_tabs_and_live_status(owner_client, tenant, owner, counts, page):
    project = make_project(tenant, owner, 1)
    url = reverse(f"provisioning:{page}", args=[project.pk])
    more = members(tenant, 4)
    counts(lambda: owner_client.get(url), lambda: add_operations(project, 12, by=more), 9)


def test_aws_account_page(owner_client, tenant, owner, counts):
    aws_account_start(tenant=tenant, actor=owner)
    url = reverse("provisioning:aws_account")
    counts(lambda: owner_client.get(url), lambda: [make_project(tenant, owner, n) for n in range(2, 6)], 5)


def test_api_project_list_and_detail(api, tenant, owner, counts):
    project = make_project(tenant, owner, 1)
    counts(
        lambda: api.get("/api/v1/projects"), lambda: [make_project(tenant, owner, n) for n in range(2, 10)], 9
    )
    counts(
        lambda: api.get(f"/api/v1/projects/{project.pk}"),
        lambda: add_operations(project, 5, by=[owner]),
        9,
    )


def test_api_operation_detail(api, tenant, owner, counts):
    project = make_project(tenant, owner, 1, operations=1)
    operation = project.operations.get()
    counts(
        lambda: api.get(f"/api/v1/operations/{operation.pk}"),
        lambda: add_operations(project, 5, by=[owner]),
        8,
    )
