"""The whole life of a stack against moto (in-process): provision, deploy, purge, destroy, and failures.

Operations are requested through the services and carried out by the Celery task (eager in tests),
exactly as a member's click would, with the AWS calls going to moto.
"""

import pytest
from botocore.exceptions import ClientError
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEvent
from apps.provisioning.exceptions import AwsTransientError, QuotaExceeded, TransitionRefused
from apps.provisioning.models import Operation, Project, Resource
from apps.provisioning.services.projects import operation_request, project_create
from apps.provisioning.services.runner import operation_run
from tests.platform.test_views import STATS_QUERIES
from tests.provisioning.conftest import aws_of, live_resources
from tests.provisioning.factories import ProjectFactory

pytestmark = pytest.mark.django_db

REGION = "ap-south-1"  # the region aws_env fakes


@pytest.fixture
def project(tenant, owner, settings, aws_env):
    settings.TIJORI_ENVIRONMENT = "test"
    return ProjectFactory(tenant=tenant, actor=owner, name="Shop site", region=REGION)


def test_provision_deploy_refuse_destroy_purge_destroy_leaves_nothing(project, owner, run):
    provision = run(project, Operation.Action.PROVISION, owner)
    assert provision.state == "succeeded", provision.error
    assert project.infra_state == "deployed" and project.expires_at is not None
    assert [s["state"] for s in provision.steps] == ["done"] * 6
    assert set(Resource.objects.filter(project=project).values_list("state", flat=True)) == {"created"}
    live = live_resources(project)
    assert all(len(found) == 1 for found in live.values()), live

    deploy = run(project, Operation.Action.DEPLOY_APP, owner)
    assert deploy.state == "succeeded", deploy.error
    assert project.app_state == "deployed" and project.site_url and project.api_url
    bucket = live["buckets"][0]
    objects = aws_of(project, "s3").list_objects_v2(Bucket=bucket)["Contents"]
    assert {o["Key"] for o in objects} == {"index.html", "style.css", "config.js"}
    head = aws_of(project, "s3").head_object(Bucket=bucket, Key="index.html")
    assert head["ContentType"] == "text/html"

    with pytest.raises(TransitionRefused, match="purge the application first"):
        run(project, Operation.Action.DESTROY, owner)
    assert project.infra_state == "deployed"

    purge = run(project, Operation.Action.PURGE_APP, owner)
    assert purge.state == "succeeded" and project.app_state == "none"
    assert aws_of(project, "s3").list_objects_v2(Bucket=bucket).get("KeyCount") == 0

    destroy = run(project, Operation.Action.DESTROY, owner)
    assert destroy.state == "succeeded", destroy.error
    assert project.infra_state == "destroyed" and project.end_reason == "destroyed_by_user"
    assert live_resources(project) == {"buckets": [], "functions": [], "tables": [], "apis": [], "roles": []}
    assert set(Resource.objects.filter(project=project).values_list("state", flat=True)) == {"deleted"}
    actions = set(AuditEvent.objects.filter(tenant=project.tenant).values_list("action", flat=True))
    assert {"project.provision", "project.destroy", "operation.succeeded"} <= actions


def test_provisioning_twice_creates_nothing_twice(project, owner, run):
    """A step run again (a redelivered task) finds its resources and converges."""
    run(project, Operation.Action.PROVISION, owner)
    operation = Operation.objects.get(project=project)
    Operation.objects.filter(pk=operation.pk).update(
        state="running", steps=[{**s, "state": "waiting"} for s in operation.steps], lease_expires_at=None
    )
    operation_run(str(operation.pk))
    operation.refresh_from_db()
    assert operation.state == "succeeded" and operation.attempts == 2
    assert all(len(found) == 1 for found in live_resources(project).values())


def test_a_transient_throttle_is_retried_and_succeeds(project, owner, django_capture_on_commit_callbacks):
    """The task sees AwsTransientError (Celery then retries with backoff); the next delivery finishes the job."""
    calls = {"n": 0}

    def throttle_once(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "CreateTable"
            )

    aws_of(project, "dynamodb").meta.events.register("before-call.dynamodb.CreateTable", throttle_once)
    with django_capture_on_commit_callbacks(execute=False):
        operation = operation_request(tenant=project.tenant, actor=owner, project=project, action="provision")
    with pytest.raises(AwsTransientError):
        operation_run(str(operation.pk))
    operation.refresh_from_db()
    assert operation.state == "running" and "throttling" in operation.error
    assert [s["state"] for s in operation.steps][:3] == ["done", "done", "retrying"]
    operation_run(str(operation.pk))
    operation.refresh_from_db(), project.refresh_from_db()
    assert calls["n"] == 2
    assert operation.state == "succeeded" and operation.attempts == 2 and operation.error == ""
    assert project.infra_state == "deployed"
    assert all(len(found) == 1 for found in live_resources(project).values())


def test_a_terminal_error_rolls_back_to_nothing_and_can_be_retried(project, owner, run):
    def refuse(**kwargs):
        raise ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "CreateFunction"
        )

    lam = aws_of(project, "lambda")
    lam.meta.events.register("before-call.lambda.CreateFunction", refuse)
    operation = run(project, Operation.Action.PROVISION, owner)
    assert operation.state == "failed" and "AccessDenied" in operation.error
    rollback = Operation.objects.get(project=project, trigger="rollback")
    assert rollback.state == "succeeded"
    assert project.infra_state == "failed"
    assert live_resources(project) == {"buckets": [], "functions": [], "tables": [], "apis": [], "roles": []}

    lam.meta.events.unregister("before-call.lambda.CreateFunction", refuse)
    retry = run(project, Operation.Action.PROVISION, owner)
    assert retry.state == "succeeded" and project.infra_state == "deployed"


def test_one_operation_at_a_time_and_guards(project, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        operation_request(tenant=project.tenant, actor=owner, project=project, action="provision")
        with pytest.raises(TransitionRefused, match="still running"):
            operation_request(tenant=project.tenant, actor=owner, project=project, action="provision")
    project.refresh_from_db()
    with pytest.raises(TransitionRefused, match="provision it before deploying"):
        Operation.objects.filter(project=project).update(state="failed")
        operation_request(tenant=project.tenant, actor=owner, project=project, action="deploy_app")


def test_project_create_refuses_bad_input_and_quota(tenant, owner, settings, aws_env):
    with pytest.raises(ValidationError) as bad:
        project_create(tenant=tenant, actor=owner, name=" ", region="mars-1", tier="huge")
    assert set(bad.value.message_dict) == {"name", "region", "tier"}
    settings.PROVISIONING_MAX_PROJECTS = 1
    ProjectFactory(tenant=tenant, actor=owner, name="One", region=REGION)
    with pytest.raises(QuotaExceeded, match="the most it may have"):
        ProjectFactory(tenant=tenant, actor=owner, name="Two", region=REGION)
    assert Project.objects.for_tenant(tenant).count() == 1


def test_expired_stack_is_purged_and_destroyed_by_the_beat_job(
    project, owner, run, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from apps.provisioning.services.sweeps import projects_expire_due

    run(project, Operation.Action.PROVISION, owner)
    run(project, Operation.Action.DEPLOY_APP, owner)
    assert project.app_state == "deployed"
    assert projects_expire_due() == 0  # not due yet
    with django_capture_on_commit_callbacks(execute=True):
        assert projects_expire_due(now=project.expires_at + timedelta(seconds=1)) == 1
    project.refresh_from_db()
    destroy = Operation.objects.get(project=project, action="destroy")
    assert destroy.trigger == "ttl" and destroy.state == "succeeded", destroy.error
    # The application is purged first, and the page's progress list says so.
    assert (destroy.steps[0]["step"], destroy.steps[0]["state"]) == ("purge", "done")
    assert all(s["state"] == "done" for s in destroy.steps)
    assert (
        project.infra_state == "destroyed" and project.end_reason == "expired" and project.app_state == "none"
    )
    assert live_resources(project) == {"buckets": [], "functions": [], "tables": [], "apis": [], "roles": []}
    assert projects_expire_due(now=timezone.now() + timedelta(days=1)) == 0


def test_orphan_sweep_deletes_what_no_live_project_owns_and_tells_super_admins(
    project, owner, run, mailoutbox
):
    from apps.accounts.models import User
    from apps.provisioning.services.sweeps import orphans_sweep

    User.objects.create_superuser("root@tijori.local", "pw-123456789", full_name="Root")
    run(project, Operation.Action.PROVISION, owner)
    assert orphans_sweep() == []  # a live, unexpired stack is left alone
    # The database loses track of the stack (say, a restore from an old backup): its resources are orphans.
    Project.objects.filter(pk=project.pk).update(infra_state="destroyed")
    found = orphans_sweep()
    assert sorted(o.kind for o in found) == ["bucket", "function", "http_api", "role", "table"]
    assert all(o.reason == "no live project owns it" for o in found)
    assert live_resources(project) == {"buckets": [], "functions": [], "tables": [], "apis": [], "roles": []}
    assert mailoutbox[-1].to == ["root@tijori.local"] and "5 orphaned" in mailoutbox[-1].subject
    assert orphans_sweep() == []


def test_orphan_sweep_takes_a_stack_long_past_its_expiry(project, owner, run):
    from datetime import timedelta

    from apps.provisioning.services.sweeps import EXPIRY_GRACE, orphans_sweep

    run(project, Operation.Action.PROVISION, owner)
    tagged_expiry = project.expires_at  # resources were tagged with the expiry of the time
    assert (
        orphans_sweep(now=tagged_expiry + EXPIRY_GRACE - timedelta(minutes=1)) == []
    )  # the expiry job's turn
    found = orphans_sweep(now=tagged_expiry + EXPIRY_GRACE + timedelta(minutes=1))
    assert len(found) == 5 and all("was not destroyed" in o.reason for o in found)


def test_super_admin_force_destroys_a_stack_with_its_application(
    project, owner, run, django_capture_on_commit_callbacks
):
    from django.test import Client

    from apps.accounts.models import User

    run(project, Operation.Action.PROVISION, owner)
    run(project, Operation.Action.DEPLOY_APP, owner)
    root = User.objects.create_superuser("root@tijori.local", "pw-123456789", full_name="Root")
    admin = Client()
    admin.force_login(root)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/admin/provisioning/project/",
            {"action": "force_destroy", "_selected_action": [project.pk]},
            follow=True,
        )
    assert "Destroy queued for 1 project" in response.content.decode()
    project.refresh_from_db()
    destroy = Operation.objects.get(project=project, action="destroy")
    assert destroy.trigger == "admin" and destroy.state == "succeeded" and destroy.requested_by == root
    assert project.infra_state == "destroyed" and project.end_reason == "forced"
    assert live_resources(project) == {"buckets": [], "functions": [], "tables": [], "apis": [], "roles": []}


def test_admin_stats_show_rates_times_and_spend(project, owner, run, client, django_assert_max_num_queries):
    from apps.accounts.models import User

    run(project, Operation.Action.PROVISION, owner)
    run(project, Operation.Action.DEPLOY_APP, owner)
    root = User.objects.create_superuser("root@tijori.local", "pw-123456789", full_name="Root")
    client.force_login(root)
    # The whole platform dashboard, whatever the number of shops (tests/platform/test_views.py pins it).
    with django_assert_max_num_queries(STATS_QUERIES):
        response = client.get("/admin/stats/")
    html = response.content.decode()
    assert response.status_code == 200
    provisioning = (
        '<th scope="row">Infrastructure provisioning</th><td class="num">1</td><td class="num">1</td>'
    )
    assert f'{provisioning}<td class="num">100.0%' in html
    assert "1 deployed stack;" in html and "Shop A Jewellers" in html
    client.force_login(owner)
    assert client.get("/admin/stats/").status_code in (302, 403)


def test_a_destroyed_project_is_provisioned_again_with_new_resources_and_both_lives_in_the_ledger(
    project, owner, run
):
    run(project, Operation.Action.PROVISION, owner)
    first_life = {r.kind: (r.name, r.physical_id) for r in Resource.objects.filter(project=project)}
    first_key = project.key
    run(project, Operation.Action.DESTROY, owner)
    assert project.infra_state == "destroyed" and project.end_reason == "destroyed_by_user"

    again = run(project, Operation.Action.PROVISION, owner)

    assert again.state == "succeeded", again.error
    assert project.infra_state == "deployed" and project.end_reason == "" and project.destroyed_at is None
    assert project.key != first_key
    rows = list(Resource.objects.filter(project=project).order_by("id"))
    assert [r.state for r in rows] == ["deleted"] * 5 + ["created"] * 5
    assert {r.kind: (r.name, r.physical_id) for r in rows[:5]} == first_life
    second_life = {r.kind: (r.name, r.physical_id) for r in rows[5:]}
    for kind, (name, physical_id) in second_life.items():
        assert name != first_life[kind][0] and physical_id != first_life[kind][1], kind
        assert project.key in name
    assert all(len(found) == 1 for found in live_resources(project).values())

    # The second life works like the first, to the end.
    assert run(project, Operation.Action.DEPLOY_APP, owner).state == "succeeded"
    assert run(project, Operation.Action.PURGE_APP, owner).state == "succeeded"
    assert run(project, Operation.Action.DESTROY, owner).state == "succeeded"
    assert project.infra_state == "destroyed" and project.end_reason == "destroyed_by_user"
    assert set(Resource.objects.filter(project=project).values_list("state", flat=True)) == {"deleted"}
    assert live_resources(project) == {"buckets": [], "functions": [], "tables": [], "apis": [], "roles": []}
    assert list(Operation.objects.filter(project=project).order_by("created_at").values_list("action", flat=True)) == [
        "provision", "destroy", "provision", "deploy_app", "purge_app", "destroy",
    ]  # fmt: skip


def test_provisioning_again_is_refused_over_the_quota_and_queues_nothing(project, owner, run, tenant):
    from decimal import Decimal

    from apps.provisioning.models import TenantQuota

    run(project, Operation.Action.PROVISION, owner)
    run(project, Operation.Action.DESTROY, owner)
    key = project.key
    TenantQuota.objects.create(
        tenant=tenant, max_tenant_usd_month=project.estimate_usd_month - Decimal("0.01")
    )

    with pytest.raises(QuotaExceeded, match="over its limit") as refused:
        run(project, Operation.Action.PROVISION, owner)

    assert refused.value.code == "quota_tenant_usd"
    project.refresh_from_db()
    assert project.infra_state == "destroyed" and project.key == key
    assert Operation.objects.filter(project=project).count() == 2
    # A destroyed project comes back into the project count too.
    TenantQuota.objects.filter(tenant=tenant).update(max_tenant_usd_month=None, max_projects=1)
    ProjectFactory(tenant=tenant, actor=owner, name="Draft", region=REGION)
    with pytest.raises(QuotaExceeded) as refused:
        run(project, Operation.Action.PROVISION, owner)
    assert refused.value.code == "quota_projects"


def test_a_destroyed_project_whose_name_was_taken_since_is_refused_in_words(project, owner, run, tenant):
    run(project, Operation.Action.PROVISION, owner)
    run(project, Operation.Action.DESTROY, owner)
    ProjectFactory(tenant=tenant, actor=owner, name="Shop site", region=REGION)
    with pytest.raises(
        TransitionRefused, match="Another project of this workspace is called “Shop site” now"
    ):
        run(project, Operation.Action.PROVISION, owner)
    project.refresh_from_db()
    assert project.infra_state == "destroyed"
