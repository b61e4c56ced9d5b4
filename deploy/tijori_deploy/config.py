"""Everything that differs between environments, in one typed place: sizes, names, retention, safety.

A stack is built from one `EnvironmentConfig`; staging and production differ only here. Sizes are
chosen for 300 to 500 shops (see docs/deploy.md for the reasoning and the monthly cost).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

QUEUES = ("default", "aws", "reports")  # config/settings/celery.py: CELERY_TASK_QUEUES


@dataclass(frozen=True)
class TaskSize:
    """One Fargate service: CPU units (1024 = 1 vCPU), memory in MiB, and how far it scales."""

    cpu: int
    memory: int
    min_tasks: int = 1
    max_tasks: int = 1
    # Celery worker processes per task (workers only).
    concurrency: int = 2


@dataclass(frozen=True)
class DatabaseConfig:
    instance_class: str  # e.g. "m7g.large" (the "db." prefix is added)
    replica_instance_class: str
    multi_az: bool
    allocated_gb: int
    max_allocated_gb: int
    backup_retention_days: int
    deletion_protection: bool
    performance_insights: bool = True


@dataclass(frozen=True)
class CacheConfig:
    node_type: str  # e.g. "cache.t4g.small"
    nodes: int  # 1 = a single primary; 2+ = primary and replicas with automatic failover across AZs


@dataclass(frozen=True)
class EnvironmentConfig:
    name: str  # "staging" | "production": stack name, resource names, tags, TIJORI_ENVIRONMENT
    region: str
    vpc_cidr: str
    nat_gateways: int  # one per AZ in production, so one AZ's loss keeps the other's egress
    domain_name: str  # the site, e.g. app.tijori.in
    hosted_zone_id: str  # the Route 53 zone that holds domain_name (imported, never looked up)
    hosted_zone_name: str
    image_repository: str  # ECR repository name; the tag is the stack's ImageTag parameter
    provisioning_role_arn: str  # the platform role tenants' stacks are built with (AWS_ROLE_ARN)
    web: TaskSize
    workers: dict[str, TaskSize]
    beat: TaskSize
    database: DatabaseConfig
    cache: CacheConfig
    # Object Lock default retention of the invoices bucket (compliance mode): the floor for a PDF
    # written without its own retain-until date. Production: 8 years (manage.py check --deploy warns below).
    invoice_lock_days: int
    exports_expire_days: int
    backups_keep_days: int
    log_retention_days: int
    alarm_email: str | None = None
    # Roles in tenants' own AWS accounts the workers may also assume (Projects → Use your own AWS
    # account). Empty: only the platform role. Each entry widens the task roles: list exact ARNs.
    extra_assumable_role_arns: tuple[str, ...] = ()
    arm64: bool = True  # Graviton tasks: build the image for linux/arm64
    container_insights: bool = False
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def stack_name(self) -> str:
        return f"Tijori-{self.name}"


# Placeholders a deployment replaces (by environment variables, see docs/deploy.md); CI synthesizes with them.
_DOMAIN = os.environ.get("TIJORI_DEPLOY_DOMAIN", "tijori.example.in")
_ZONE_ID = os.environ.get("TIJORI_DEPLOY_HOSTED_ZONE_ID", "Z0000000000000000000")
_PROVISIONER = os.environ.get(
    "TIJORI_DEPLOY_PROVISIONING_ROLE_ARN", "arn:aws:iam::111111111111:role/TijoriProvisioner"
)

STAGING = EnvironmentConfig(
    name="staging",
    region="ap-south-1",
    vpc_cidr="10.20.0.0/16",
    nat_gateways=1,
    domain_name=f"staging.{_DOMAIN}",
    hosted_zone_id=_ZONE_ID,
    hosted_zone_name=_DOMAIN,
    image_repository="tijori",
    provisioning_role_arn=_PROVISIONER.replace("TijoriProvisioner", "TijoriProvisionerStaging"),
    web=TaskSize(cpu=512, memory=1024, min_tasks=1, max_tasks=2),
    workers={
        "default": TaskSize(cpu=256, memory=1024, max_tasks=2, concurrency=2),
        "aws": TaskSize(cpu=256, memory=512, max_tasks=2, concurrency=2),
        "reports": TaskSize(cpu=512, memory=1024, max_tasks=2, concurrency=2),
    },
    beat=TaskSize(cpu=256, memory=512),
    database=DatabaseConfig(
        instance_class="t4g.medium",
        replica_instance_class="t4g.medium",
        multi_az=False,
        allocated_gb=20,
        max_allocated_gb=100,
        backup_retention_days=7,
        deletion_protection=False,
        performance_insights=False,
    ),
    cache=CacheConfig(node_type="cache.t4g.micro", nodes=1),
    invoice_lock_days=1,  # staging PDFs are not records: a day's lock, so the bucket can be emptied
    exports_expire_days=7,
    backups_keep_days=14,
    log_retention_days=30,
    tags={"Application": "tijori", "Environment": "staging"},
)

PRODUCTION = EnvironmentConfig(
    name="production",
    region="ap-south-1",
    vpc_cidr="10.10.0.0/16",
    nat_gateways=2,
    domain_name=f"app.{_DOMAIN}",
    hosted_zone_id=_ZONE_ID,
    hosted_zone_name=_DOMAIN,
    image_repository="tijori",
    provisioning_role_arn=_PROVISIONER,
    web=TaskSize(cpu=1024, memory=2048, min_tasks=2, max_tasks=8),
    workers={
        "default": TaskSize(cpu=512, memory=1024, min_tasks=1, max_tasks=4, concurrency=2),
        "aws": TaskSize(cpu=256, memory=512, min_tasks=1, max_tasks=4, concurrency=4),
        "reports": TaskSize(cpu=1024, memory=2048, min_tasks=1, max_tasks=4, concurrency=2),
    },
    beat=TaskSize(cpu=256, memory=512),
    database=DatabaseConfig(
        instance_class="m7g.large",
        replica_instance_class="m7g.large",
        multi_az=True,
        allocated_gb=100,
        max_allocated_gb=500,
        backup_retention_days=14,
        deletion_protection=True,
    ),
    cache=CacheConfig(node_type="cache.t4g.small", nodes=2),
    invoice_lock_days=8 * 365,
    exports_expire_days=7,
    backups_keep_days=90,
    log_retention_days=90,
    alarm_email=os.environ.get("TIJORI_DEPLOY_ALARM_EMAIL") or None,
    container_insights=True,
    tags={"Application": "tijori", "Environment": "production"},
)

ENVIRONMENTS = {config.name: config for config in (STAGING, PRODUCTION)}
