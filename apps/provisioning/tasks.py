"""Celery tasks of the `aws` queue: thin wrappers, the work and its state live in the services.

AWS failures that can recover (`AwsTransientError`) are retried by Celery with exponential backoff
and full jitter, between RETRY_FIRST_SECONDS and RETRY_MAX_SECONDS; once a task will not run again
(retries spent, or a bug of ours), `on_failure` gives its work up through the services, so no row
stays "running" or "checking".
"""

from celery import shared_task

from apps.provisioning import aws, services
from apps.provisioning.exceptions import AwsTransientError, LeaseHeld
from apps.provisioning.models import Operation

TRANSIENT_RETRIES = {
    "autoretry_for": (AwsTransientError,),
    "retry_backoff": aws.RETRY_FIRST_SECONDS,
    "retry_backoff_max": aws.RETRY_MAX_SECONDS,
    "retry_jitter": True,
}


def _operation_give_up(task, exc, task_id, args, kwargs, einfo) -> None:
    if not isinstance(exc, LeaseHeld):  # another delivery holds the operation and will finish it
        services.operation_give_up(operation_id=args[0], exc=exc)


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=Operation.MAX_ATTEMPTS - 1,
    on_failure=_operation_give_up, **TRANSIENT_RETRIES,
)  # fmt: skip
def operation_run_task(self, operation_id: str) -> None:
    """Carry out one operation; the operation counts its own attempts (services.runner)."""
    try:
        services.operation_run(operation_id)
    except LeaseHeld as exc:  # a redelivery after a crash: take over once the lease runs out
        raise self.retry(exc=exc, countdown=exc.seconds + 1) from exc


@shared_task(acks_late=True)
def projects_expire_task() -> int:
    """Beat, every minute: destroy the stacks whose time is up."""
    return services.projects_expire_due()


@shared_task(acks_late=True)
def operations_reap_task() -> int:
    """Beat, every minute: send again the operations whose worker vanished."""
    return services.operations_reap()


@shared_task(acks_late=True)
def orphans_sweep_task() -> int:
    """Beat, every 15 minutes: delete what is tagged as ours but no live project accounts for."""
    return len(services.orphans_sweep())


def _account_check_give_up(task, exc, task_id, args, kwargs, einfo) -> None:
    reason = exc.message if isinstance(exc, AwsTransientError) else "The check broke on Tijori's side."
    services.aws_account_check_failed(account_pk=args[0], role_arn=args[1], reason=reason)


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5,
    on_failure=_account_check_give_up, **TRANSIENT_RETRIES,
)  # fmt: skip
def aws_account_check_task(self, account_pk: int, role_arn: str) -> None:
    """Assume a workspace's newly registered role once, to connect its AWS account."""
    services.aws_account_check(account_pk=account_pk, role_arn=role_arn)
