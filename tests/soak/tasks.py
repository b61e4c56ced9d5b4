"""The soak test's own task, loaded by the worker only when CELERY_IMPORTS names this module."""

from pathlib import Path

from celery import shared_task


@shared_task(acks_late=True)
def soak_mark_task(folder: str, number: int) -> None:
    """Append a line to a file named after the task's number: one file per task, one line per run."""
    with (Path(folder) / f"{number:05d}").open("a") as mark:
        mark.write("done\n")
