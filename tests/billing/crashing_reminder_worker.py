"""A Celery worker whose process dies just after the second AMC reminder is committed as sent, the first
time only.

`python -m tests.billing.crashing_reminder_worker -A config worker ...` behaves as `celery`, except that
the second time a reminder's row is saved as sent, its process kills itself (SIGKILL: no clean-up, no
acknowledgement) the moment that transaction commits. A marker file (TIJORI_CRASH_MARKER, holding the
dead process's id) makes the crash happen once.
"""

import os
import signal
import sys
from pathlib import Path


def main() -> None:
    import django

    django.setup()
    from django.db import transaction

    from apps.billing.models import Reminder

    marker = Path(os.environ["TIJORI_CRASH_MARKER"])
    original = Reminder.save
    sent = []

    def die() -> None:
        marker.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)

    def save(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if self.state == Reminder.State.SENT and not marker.exists():
            sent.append(self.pk)
            if len(sent) == 2:
                transaction.on_commit(die)

    Reminder.save = save
    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
