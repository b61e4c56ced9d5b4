"""Projects on AWS: their infrastructure and application states, operations, and the resource ledger.

State lives here, never only in a task: a page can always say where a project stands and what
failed. A resource row is written as `creating` *before* the AWS call that creates it, so a worker
that dies mid-call leaves a row the next attempt finds (and looks up by name or tag) instead of a
resource nobody knows about.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Exists, OuterRef, Q

from apps.core.files import tenant_upload_path
from apps.core.models import TenantOwned, TenantQuerySet
from apps.provisioning.aws.policies import role_account

USD = {"max_digits": 10, "decimal_places": 2}


class Tier(models.TextChoices):
    """Usage tiers: each sets hard caps (concurrency, throttling, throughput) that bound the cost."""

    SMALL = "small", "Small"
    MEDIUM = "medium", "Medium"


def spending_q() -> Q:
    """The projects whose estimate counts against the spend quota: holding resources in AWS, or about to.

    Waiting, provisioning and deployed stacks count; a failed, destroying or clean-up-failed one only
    while a resource of it may still be in AWS. Drafts, destroyed and deleted projects count nothing.
    A condition rather than a queryset, so that a sum can filter on it in the same query as a count.
    """
    state = Project.InfraState
    left = Resource.objects.filter(project=OuterRef("pk")).exclude(state__in=Resource.NOT_IN_AWS)
    return Q(infra_state__in=[state.PENDING, state.PROVISIONING, state.DEPLOYED]) | Q(
        Exists(left), infra_state__in=[state.FAILED, state.DESTROYING, state.CLEANUP_FAILED]
    )


class ProjectQuerySet(TenantQuerySet):
    """The meanings of a "live" project, each with its own name."""

    def holding_resources(self) -> ProjectQuerySet:
        """Projects that may have something in AWS: provisioned at least once and not yet destroyed."""
        state = Project.InfraState
        return self.exclude(infra_state__in=[state.DESTROYED, state.NEW, state.DELETED])

    def live(self) -> ProjectQuerySet:
        """Projects the workspace's project limit counts: neither destroyed nor deleted; drafts too."""
        return self.exclude(infra_state__in=[Project.InfraState.DESTROYED, Project.InfraState.DELETED])

    def spending(self) -> ProjectQuerySet:
        """Projects whose estimate counts against the spend quota (see `spending_q`)."""
        return self.filter(spending_q())


class Project(TenantOwned):
    """One serverless stack of a workspace on AWS, and the application deployed on it.

    Two state machines run side by side: `infra_state` (the AWS resources: provisioned, destroyed,
    failed) and `app_state` (the code and files on them). Every change of either goes through an
    `Operation`; the resources themselves are listed in the `Resource` ledger. A destroyed project can
    be provisioned again; one never provisioned, or holding nothing in AWS any more, can be deleted:
    it leaves the workspace's pages and quotas, while its row, operations, ledger and audit events
    stay (state `deleted`, a soft delete, so nothing that refers to it goes). The stack lives in the
    platform's AWS account or, when `aws_role_arn` is set, in the workspace's own account, fixed when
    it is provisioned. `estimate_usd_month` is the most it can cost at its tier's caps, the figure
    quotas count.
    """

    class InfraState(models.TextChoices):
        NEW = "new", "Not provisioned"
        PENDING = "pending", "Waiting for a worker"
        PROVISIONING = "provisioning", "Provisioning"
        DEPLOYED = "deployed", "Deployed"
        DESTROYING = "destroying", "Destroying"
        DESTROYED = "destroyed", "Destroyed"
        FAILED = "failed", "Failed"
        CLEANUP_FAILED = "cleanup_failed", "Clean-up failed"
        DELETED = "deleted", "Deleted"

    class AppState(models.TextChoices):
        NONE = "none", "No application"
        DEPLOYING = "deploying", "Deploying"
        DEPLOYED = "deployed", "Deployed"
        PURGING = "purging", "Purging"
        FAILED = "failed", "Failed"

    class EndReason(models.TextChoices):
        DESTROYED_BY_USER = "destroyed_by_user", "Destroyed by a member"
        EXPIRED = "expired", "Expired"
        ROLLED_BACK = "rolled_back", "Rolled back after a failure"
        FORCED = "forced", "Force-destroyed by a super admin"

    name = models.CharField(max_length=60)
    key = models.CharField(
        max_length=12, unique=True, editable=False, help_text="Short random id in every resource name."
    )
    region = models.CharField(max_length=20)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.SMALL)
    infra_state = models.CharField(max_length=16, choices=InfraState.choices, default=InfraState.NEW)
    app_state = models.CharField(max_length=16, choices=AppState.choices, default=AppState.NONE)
    estimate_usd_month = models.DecimalField(
        **USD, help_text="Upper bound of the monthly cost at this tier's caps, in USD."
    )
    deployed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=24, choices=EndReason.choices, blank=True)
    site_url = models.URLField(blank=True)
    api_url = models.URLField(blank=True)
    aws_role_arn = models.CharField(
        "AWS role ARN",
        max_length=200,
        blank=True,
        editable=False,
        help_text="The role in the workspace's own AWS account that holds this stack, fixed when it is "
        "provisioned; blank for the platform's account.",
    )
    aws_external_id = models.CharField("AWS ExternalId", max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = models.Manager.from_queryset(ProjectQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"],
                condition=~Q(infra_state__in=["destroyed", "deleted"]),
                name="project_name_unique_per_tenant_while_live",
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "infra_state"], name="project_tenant_state"),
            models.Index(fields=["infra_state", "expires_at"], name="project_state_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.region})"

    @property
    def own_account_id(self) -> str:
        """The workspace's own AWS account holding the stack (from its role ARN), or "" for the platform's."""
        return role_account(self.aws_role_arn)


def bundles_storage():
    """Application bundles live in the private `default` storage, read at call time from STORAGES."""
    return storages["default"]


def bundle_path(instance: Operation, filename: str) -> str:
    return tenant_upload_path(folder="bundles", tenant_id=instance.tenant_id, filename=filename)


class Operation(TenantOwned):
    """One action on a project (a member's, the TTL's or a super admin's) and how it went.

    Its id is the idempotency key of the task that carries it out; `attempts` counts deliveries
    (transient retries and crashes together), so one that keeps failing, or keeps killing its worker,
    is failed for good after MAX_ATTEMPTS.
    """

    class Action(models.TextChoices):
        PROVISION = "provision", "Provision"
        DESTROY = "destroy", "Destroy"
        DEPLOY_APP = "deploy_app", "Deploy application"
        PURGE_APP = "purge_app", "Purge application"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        MEMBER = "member", "A member"
        TTL = "ttl", "Expiry"
        ADMIN = "admin", "A super admin"
        ROLLBACK = "rollback", "Roll-back"

    ACTIVE = (State.QUEUED, State.RUNNING)
    MAX_ATTEMPTS = 10

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="operations")
    action = models.CharField(max_length=16, choices=Action.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MEMBER)
    attempts = models.PositiveSmallIntegerField(default=0)
    steps = models.JSONField(
        default=list, blank=True, help_text='Progress: [{"step", "label", "state", "at"}], in order.'
    )
    error = models.TextField(blank=True, help_text="What went wrong, in plain words.")
    error_detail = models.TextField(blank=True, help_text="The technical error, for super admins.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A running operation past this has lost its worker."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    bundle = models.FileField(
        upload_to=bundle_path,
        storage=bundles_storage,
        max_length=200,
        blank=True,
        help_text="The uploaded application bundle of a deploy; empty for the built-in starter app.",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(state__in=["queued", "running"]),
                name="one_active_operation_per_project",
            )
        ]
        indexes = [
            models.Index(fields=["state", "lease_expires_at"], name="operation_state_lease"),
            models.Index(fields=["project", "-created_at"], name="operation_project_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.project_id}: {self.get_state_display()}"

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class ResourceQuerySet(TenantQuerySet):
    """The ledger's rows, with each stack's present life picked out."""

    def present(self) -> ResourceQuerySet:
        """Each project's newest row of each kind: its stack as it is now, or was when last destroyed."""
        newer = Resource.objects.filter(
            project=OuterRef("project"), kind=OuterRef("kind"), pk__gt=OuterRef("pk")
        )
        return self.exclude(Exists(newer))


class Resource(TenantOwned):
    """The ledger: one row per AWS resource of a project, written before the call that creates it.

    A project provisioned again after it was destroyed gets new rows: every life of the stack stays
    in the ledger, the earlier ones deleted.
    """

    class Kind(models.TextChoices):
        ROLE = "role", "IAM role (Lambda execution)"
        BUCKET = "bucket", "S3 bucket"
        TABLE = "table", "DynamoDB table"
        FUNCTION = "function", "Lambda function"
        HTTP_API = "http_api", "API Gateway HTTP API"

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        CREATING = "creating", "Creating"
        CREATED = "created", "Created"
        DELETING = "deleting", "Deleting"
        DELETED = "deleted", "Deleted"
        FAILED = "failed", "Failed"

    NOT_IN_AWS = (State.PLANNED, State.DELETED)

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="resources")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(
        max_length=120, help_text="Deterministic: a stack (the project's key) always gets the same."
    )
    physical_id = models.CharField(max_length=200, blank=True, help_text="ARN or id once AWS has answered.")
    region = models.CharField(max_length=20)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PLANNED)
    estimate_usd_month = models.DecimalField(**USD, default=0)
    last_error = models.TextField(blank=True)

    objects = models.Manager.from_queryset(ResourceQuerySet)()

    class Meta:
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind"],
                condition=~Q(state="deleted"),
                name="resource_one_live_per_kind_per_project",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name} ({self.get_state_display()})"


class TenantQuota(TenantOwned):
    """A super admin's override of one tenant's quotas; blank fields keep the platform defaults."""

    # One per tenant: the base's foreign key, made one-to-one.
    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.PROTECT, related_name="aws_quota")
    max_projects = models.PositiveSmallIntegerField(null=True, blank=True)
    max_project_usd_month = models.DecimalField(**USD, null=True, blank=True)
    max_tenant_usd_month = models.DecimalField(**USD, null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="Why the quota differs.")

    def __str__(self) -> str:
        return f"Quota of {self.tenant}"


class TenantAwsAccount(TenantOwned):
    """A tenant owner's own AWS account: Tijori assumes `role_arn` there instead of the platform role.

    The ExternalId is generated by Tijori, one per tenant, and shown with the trust policy to paste.
    New stacks go to the account only once a worker has assumed the role (`status` verified); each
    project keeps the role it was provisioned with, so changing or removing the role never strands
    a live stack.
    """

    class Status(models.TextChoices):
        NOT_SET = "not_set", "No role registered"
        CHECKING = "checking", "Checking the connection"
        VERIFIED = "verified", "Connected"
        FAILED = "failed", "Connection failed"

    tenant = models.OneToOneField(  # one per tenant: the base's foreign key, made one-to-one
        "tenants.Tenant", on_delete=models.PROTECT, related_name="aws_account"
    )
    role_arn = models.CharField("role ARN", max_length=200, blank=True)
    external_id = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_SET)
    account_id = models.CharField(
        "AWS account id", max_length=12, blank=True, help_text="As AWS reported it when the role was assumed."
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    check_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"AWS account of {self.tenant}: {self.role_arn or 'not set'}"

    @property
    def is_verified(self) -> bool:
        return bool(self.role_arn) and self.status == self.Status.VERIFIED
