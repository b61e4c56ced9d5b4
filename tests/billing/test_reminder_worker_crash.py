"""A worker killed in the middle of the reminders job, on the Redis broker: the task is redelivered and
every reminder goes out exactly once (each mail is a message in the file backend's files)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest

from apps.billing.models import Reminder
from apps.billing.tasks import contracts_reminders_task
from tests.billing.reminder_shops import END, make_shop
from tests.workers import running_worker, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

SHOPS = 4


def mails_per_recipient(folder) -> Counter:
    """How many messages the file backend wrote to each address (every file, every message in it)."""
    counts: Counter = Counter()
    for path in folder.glob("*.log"):
        for to in re.findall(r"^To: (.+)$", path.read_text(), flags=re.MULTILINE):
            counts.update(address.strip() for address in to.split(","))
    return counts


def test_a_worker_killed_mid_run_is_redelivered_and_sends_each_reminder_once(tmp_path):
    shops = [make_shop(f"Crash Shop {n}") for n in range(SHOPS)]
    day = END - timedelta(days=7)
    marker, mail_dir = tmp_path / "crashed", tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        "TIJORI_CRASH_MARKER": str(marker),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    with running_worker(
        tmp_path, extra_env=env, pool="prefork", module="tests.billing.crashing_reminder_worker"
    ):
        contracts_reminders_task.delay(day.isoformat())
        wait_for(marker.exists, 60, "the worker did not reach the crash point", tmp_path)
        wait_for(
            lambda: not Reminder.objects.exclude(state=Reminder.State.SENT).exists()
            and Reminder.objects.count() == SHOPS,
            90, "the redelivered task did not send the rest", tmp_path,
        )  # fmt: skip

    log = (tmp_path / "worker.log").read_text()
    # The child that reached the crash point really died by SIGKILL (the marker holds its pid), and the
    # rest was sent by another child: the redelivery, not a retry inside the dead process.
    assert f"pid:{marker.read_text()} exited with 'signal 9 (SIGKILL)'" in log, log[-3000:]
    assert log.count("contracts_reminders_task") >= 2, log[-3000:]
    rows = list(Reminder.objects.order_by("tenant_id").values_list("tenant_id", "kind", "state", "attempts"))
    assert rows == [(shop.pk, "before_7", "sent", 1) for shop in shops]
    expected = {f"owner0@crash-shop-{n}.in": 1 for n in range(SHOPS)}
    assert mails_per_recipient(mail_dir) == expected
