"""A Celery worker whose process dies at a chosen point of provisioning, the first time only.

`python -m tests.provisioning.crashing_worker -A config worker ...` behaves as `celery`, except that
the first time the DynamoDB table has been created on AWS, before the database records it as
created, the worker's process kills itself (SIGKILL: no clean-up, no acknowledgement). A marker
file (TIJORI_CRASH_MARKER) makes the crash happen once.
"""

import os
import signal
import sys
from pathlib import Path


def main() -> None:
    import django

    django.setup()
    from apps.provisioning.models import Resource
    from apps.provisioning.services.blueprint import table

    marker = Path(os.environ["TIJORI_CRASH_MARKER"])
    original = table.mark

    def mark(resource, state, **kwargs):
        if resource.kind == Resource.Kind.TABLE and state == Resource.State.CREATED and not marker.exists():
            marker.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        return original(resource, state, **kwargs)

    table.mark = mark
    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
