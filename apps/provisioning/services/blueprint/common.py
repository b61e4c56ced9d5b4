"""What every resource kind of the blueprint shares: its spec, names, clients, and ledger rows.

Every create step writes its ledger row as `creating` before the AWS call and treats "already
exists" (with our name in our account) as done, so a step run twice, or after a crash, converges
instead of duplicating. Every delete treats "not found" as done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError
from django.db import IntegrityError, transaction

from apps.provisioning import aws, pricing
from apps.provisioning.models import Project, Resource

if TYPE_CHECKING:
    from apps.provisioning.models import Operation

ClientFor = Callable[[str, str], Any]  # (service, region) -> a boto3 client in the swept account


@dataclass(frozen=True)
class Found:
    """A resource the orphan sweep found named like ours, with its tags and how to delete it."""

    kind: str
    name: str
    tags: dict[str, str]
    delete: Callable[[], None]


@dataclass(frozen=True)
class ResourceSpec:
    """Everything Tijori knows about one kind of AWS resource in a stack.

    `create` and `delete` are the provision and destroy steps (each idempotent); `exists` answers
    whether the ledger row's resource is still in AWS; `confirm`, if any, checks more once everything
    is created; `list_tagged` finds resources named like ours in an account for the orphan sweep
    (in one region, or once for a global service: `regional`); `estimate_line` is its share of the
    monthly upper bound at a tier's caps and a region's prices.
    """

    kind: str
    create_label: str
    delete_label: str
    create: Callable[[Project, Operation], None]
    delete: Callable[[Project, Operation], None]
    exists: Callable[[Project, Operation | None, Resource], bool]
    list_tagged: Callable[[ClientFor, str], list[Found]]
    estimate_line: Callable[[pricing.TierCaps, dict[str, Decimal]], pricing.EstimateLine]
    confirm: Callable[[Project, Operation], None] | None = None
    regional: bool = True

    @property
    def label(self) -> str:
        return Resource.Kind(self.kind).label


def resource_name(project: Project, kind: str) -> str:
    """Deterministic names: the same project always asks AWS for the same ones."""
    base = aws.stack_id(project)
    return {Resource.Kind.ROLE: f"{base}-lambda", Resource.Kind.BUCKET: f"{base}-web"}.get(kind, base)


def client(project: Project, service: str, operation: Operation | None = None, *, user_id: int | None = None):
    """The client acting for whoever asked for the operation (or `user_id`), in the account holding the stack."""
    return aws.aws_client(
        service, tenant=project.tenant, region=project.region, role=aws.project_role(project),
        user_id=operation.requested_by_id if operation else user_id,
    )  # fmt: skip


def tags(project: Project, operation: Operation | None) -> dict[str, str]:
    return aws.resource_tags(project, user_id=operation.requested_by_id if operation else None)


def caps(project: Project) -> pricing.TierCaps:
    return pricing.TIERS[project.tier]


def resource_present(project: Project, kind: str) -> Resource | None:
    """The ledger row of `kind` of the stack's present life (earlier lives' rows stay, deleted)."""
    return Resource.objects.present().filter(project=project, kind=kind).first()


def resource_row(
    project: Project, kind: str, *, estimate_line: Callable[..., pricing.EstimateLine] | None = None
) -> Resource:
    """The resource's ledger row, made (planned) with its name and its estimate line when the stack has
    none of this kind yet, or only a deleted one (a stack built again gets rows of its own)."""
    resource = resource_present(project, kind)
    if resource is not None and resource.state != Resource.State.DELETED:
        return resource
    amount = (
        estimate_line(caps(project), pricing.PRICES[project.region]).usd_month
        if estimate_line
        else Decimal(0)
    )
    try:
        with transaction.atomic():
            return Resource.objects.create(
                tenant_id=project.tenant_id, project=project, kind=kind, name=resource_name(project, kind),
                region=project.region, estimate_usd_month=amount,
            )  # fmt: skip
    except IntegrityError:  # another delivery of the step made it this instant
        return Resource.objects.exclude(state=Resource.State.DELETED).get(project=project, kind=kind)


def mark(resource: Resource, state: str, *, physical_id: str | None = None, error: str = "") -> None:
    resource.state = state
    if physical_id is not None:
        resource.physical_id = physical_id
    resource.last_error = error
    resource.save(update_fields=["state", "physical_id", "last_error", "updated_at"])


def delete_recorded(project: Project, kind: str, call: Callable[[Resource], None]) -> None:
    """Delete the ledger's resource of `kind` (gone already counts as done) and record it deleted."""
    resource = resource_present(project, kind)
    if resource is None or resource.state == Resource.State.DELETED:
        return
    mark(resource, Resource.State.DELETING)
    try:
        with aws.ignore_not_found():
            call(resource)
    except (BotoCoreError, ClientError) as exc:
        mark(resource, Resource.State.DELETING, error=aws.plain_error(exc))
        raise
    mark(resource, Resource.State.DELETED)


def answers(call: Callable[[], object]) -> bool:
    """Whether AWS still has the resource `call` asks about ("not found" means no)."""
    with aws.ignore_not_found():
        call()
        return True
    return False


def tags_of(call: Callable[[], object], key: str = "TagSet") -> dict[str, str]:
    """The tags `call` reads, in `{"k": "v"}` form; none if the resource has gone meanwhile."""
    answer: object = {}
    with aws.ignore_not_found():
        answer = call()
    if not isinstance(answer, dict):
        return {}
    if key in answer and isinstance(answer[key], list):
        return aws.tag_dict(answer[key])
    return dict(answer.get("Tags", {}))
