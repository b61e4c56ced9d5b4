"""Celery tasks of the `aws` queue: thin wrappers, the work and its state live in the services."""

from celery import shared_task

from apps.provisioning import aws, services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def operation_run_task(self, operation_id: str) -> None:
    """Carry out one operation; transient AWS errors retry with exponential backoff and jitter.

    The operation counts its own attempts and fails for good after the last (services.runner).
    """
    try:
        services.operation_run(operation_id)
    except services.LeaseHeld as exc:  # a redelivery after a crash: take over once the lease runs out
        raise self.retry(exc=exc, countdown=exc.seconds + 1) from exc
    except services.RetryLater as exc:
        raise self.retry(exc=exc, countdown=exc.countdown) from exc


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


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def aws_account_check_task(self, account_pk: int, role_arn: str) -> None:
    """Assume a workspace's newly registered role once, to connect its AWS account."""
    try:
        services.aws_account_check(account_pk=account_pk, role_arn=role_arn)
    except services.CheckRetry as exc:
        if self.request.retries >= self.max_retries:
            services.aws_account_check_failed(account_pk=account_pk, role_arn=role_arn, reason=str(exc))
            return
        raise self.retry(exc=exc, countdown=aws.retry_countdown(self.request.retries + 1)) from exc
