"""The "serverless web app" blueprint on AWS: one registry of the resource kinds of a stack, in order.

`RESOURCES` lists a `ResourceSpec` per kind in the order they are created (and destroyed in
reverse). The steps of every operation, the progress list its page shows, the checks after a
provision and a destroy, the orphan sweep and the monthly estimate all iterate it, so a new kind of
resource is one module here (plus its IAM permissions in `iam/`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from apps.provisioning import pricing
from apps.provisioning.exceptions import StepFailed
from apps.provisioning.models import Operation, Project, Resource
from apps.provisioning.services.blueprint import app, bucket, function, http_api, role, table
from apps.provisioning.services.blueprint.common import ClientFor, Found, ResourceSpec, resource_name

RESOURCES: tuple[ResourceSpec, ...] = (role.SPEC, bucket.SPEC, table.SPEC, function.SPEC, http_api.SPEC)
BY_KIND: dict[str, ResourceSpec] = {spec.kind: spec for spec in RESOURCES}


@dataclass(frozen=True)
class Step:
    """One step of an operation: its name in the progress list, what the page says, and what it does."""

    name: str
    label: str
    run: Callable[[Project, Operation], None]
    applies: Callable[[Project], bool] = lambda project: True


def verify_created(project: Project, operation: Operation) -> None:
    """Every resource answers: a provisioning that says 'deployed' really is."""
    rows = {r.kind: r for r in Resource.objects.present().filter(project=project)}
    missing = [
        spec.label
        for spec in RESOURCES
        if spec.kind not in rows or not spec.exists(project, operation, rows[spec.kind])
    ]
    if missing:
        raise StepFailed(f"Missing after provisioning: {', '.join(missing)}.")
    for spec in RESOURCES:
        if spec.confirm:
            spec.confirm(project, operation)


def verify_deleted(project: Project, operation: Operation) -> None:
    """Each resource of the ledger is really gone; one that still answers fails the destroy."""
    left = [
        r.get_kind_display()
        for r in Resource.objects.present().filter(project=project)
        if BY_KIND[r.kind].exists(project, operation, r)
    ]
    if left:
        raise StepFailed(f"Still present after deletion: {', '.join(left)}.")


def _has_application(project: Project) -> bool:
    return project.app_state != Project.AppState.NONE


Action = Operation.Action
STEPS: dict[str, tuple[Step, ...]] = {
    Action.PROVISION: (
        *(Step(spec.kind, spec.create_label, spec.create) for spec in RESOURCES),
        Step("verify", "Check every resource answers", verify_created),
    ),
    Action.DESTROY: (
        # Expiry and super admins destroy a stack with its application; members were refused.
        Step("purge", "Empty the bucket and reset the function", app.purge, applies=_has_application),
        *(Step(spec.kind, spec.delete_label, spec.delete) for spec in reversed(RESOURCES)),
        Step("verify", "Check nothing is left", verify_deleted),
    ),
    Action.DEPLOY_APP: (
        Step("code", "Lambda code", app.deploy_code),
        Step("files", "Frontend files", app.deploy_files),
        Step("urls", "Site and API addresses", app.publish_urls),
    ),
    Action.PURGE_APP: (
        Step("files", "Empty the bucket", app.bucket_empty),
        Step("code", "Reset the function", app.reset_code),
    ),
}


def steps_planned(*, action: str, project: Project) -> list[Step]:
    """The steps `action` will take on the project as it stands: what its progress list shows."""
    return [step for step in STEPS[action] if step.applies(project)]


def steps_of(operation: Operation) -> list[Step]:
    """The steps of the operation, as planned (and listed on its page) when it was requested."""
    planned = {entry["step"] for entry in operation.steps}
    return [step for step in STEPS[operation.action] if step.name in planned]


def estimate(*, tier: str, region: str) -> pricing.Estimate:
    """The most a project of `tier` in `region` can cost in a month, with every cap used all month.

    Raises ValueError for a tier or a region the price table has no figures for.
    """
    if tier not in pricing.TIERS:
        raise ValueError(f"unknown tier {tier!r}; known: {', '.join(pricing.TIERS)}")
    if region not in pricing.PRICES:
        raise ValueError(f"no prices for region {region!r}; priced: {', '.join(pricing.PRICES)}")
    caps, price = pricing.TIERS[tier], pricing.PRICES[region]
    # In the order a destroy removes them: the API first, the (free) role last.
    lines = [spec.estimate_line(caps, price) for spec in reversed(RESOURCES)]
    return pricing.Estimate(lines=lines, total=sum((line.usd_month for line in lines), Decimal("0.00")))


__all__ = [
    "BY_KIND",
    "RESOURCES",
    "STEPS",
    "ClientFor",
    "Found",
    "ResourceSpec",
    "Step",
    "estimate",
    "resource_name",
    "steps_of",
    "steps_planned",
    "verify_created",
    "verify_deleted",
]
