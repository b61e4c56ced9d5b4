"""Celery tasks of reports: thin wrappers, the work and its state live in the services.

The build runs on the `reports` queue (config/settings/celery.py routes it), so a long export never
holds up the e-mails and PDFs of the `default` queue.
"""

from celery import shared_task

from apps.reports import services


def _export_give_up(task, exc, task_id, args, kwargs, einfo) -> None:
    services.export_give_up(export_id=args[0], exc=exc)


@shared_task(
    acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=5, retry_jitter=True,
    max_retries=5, on_failure=_export_give_up,
)  # fmt: skip
def export_build_task(export_id: int) -> None:
    """Build one export (the file store's hiccups are retried; a second delivery finds it done)."""
    services.export_build(export_id=export_id)


@shared_task(acks_late=True)
def exports_expired_remove_task() -> int:
    """Beat, daily: delete the files of exports past their week; the records stay."""
    return services.exports_expired_remove()


@shared_task(acks_late=True)
def exports_reap_task() -> int:
    """Beat, every minute: send again the exports whose message was lost or whose worker died."""
    return services.exports_reap()
