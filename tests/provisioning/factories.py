"""Projects built the way a workspace builds them: through the services, so quotas and audit hold.

Each factory takes the `tenant` and the `actor` (the member acting) and passes the rest to its service:

    project = ProjectFactory(tenant=tenant, actor=owner)                   # new, small, ap-south-1
    project = ProjectFactory(tenant=tenant, actor=owner, tier="medium", region="us-east-1")
    project = DeployedProjectFactory(tenant=tenant, actor=owner, expires_in=timedelta(minutes=5))
    account = AwsAccountFactory(tenant=tenant, actor=owner)                # ExternalId, no role yet

`DeployedProjectFactory` records a deployment without any AWS call, for tests of what happens to a
deployed stack in the database (expiry, extension, pages); tests that need the stack in AWS run the
provision operation instead (the `run` fixture).
"""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from apps.provisioning import services
from apps.provisioning.models import Project, TenantAwsAccount


class ProjectFactory(factory.Factory):
    """A new small project in ap-south-1, named uniquely within its workspace."""

    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Shop site {n + 1}")
    region = "ap-south-1"
    tier = "small"

    @classmethod
    def _create(cls, model_class, *, tenant, actor, **values) -> Project:
        return services.project_create(tenant=tenant, actor=actor, **values)


class DeployedProjectFactory(ProjectFactory):
    """A project recorded as deployed `deployed_ago`, due to expire in `expires_in` (no AWS involved)."""

    @classmethod
    def _create(
        cls,
        model_class,
        *,
        tenant,
        actor,
        deployed_ago: timedelta = timedelta(0),
        expires_in: timedelta = timedelta(hours=1),
        **values,
    ) -> Project:
        project = super()._create(model_class, tenant=tenant, actor=actor, **values)
        now = timezone.now()
        Project.objects.filter(pk=project.pk).update(
            infra_state=Project.InfraState.DEPLOYED,
            deployed_at=now - deployed_ago,
            expires_at=now + expires_in,
        )
        project.refresh_from_db()
        return project


class AwsAccountFactory(factory.Factory):
    """The workspace's own-account record with its generated ExternalId (nothing is sent to AWS)."""

    class Meta:
        model = TenantAwsAccount

    @classmethod
    def _create(cls, model_class, *, tenant, actor) -> TenantAwsAccount:
        return services.aws_account_start(tenant=tenant, actor=actor)
