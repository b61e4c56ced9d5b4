"""`manage.py run_embedded` (what `make run` starts): a process that exits is restarted, the others run on."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from apps.core.management.commands.run_embedded import procfile_read


def _wait_for(condition, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout}s; output:\n{log.read_text()[-3000:]}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()


def test_exited_process_is_restarted_and_the_others_keep_running_until_sigterm(tmp_path):
    steady_pids = tmp_path / "steady.pids"
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        "# a process that keeps failing, and one that must not notice\n"
        "flaky: echo flaky up; exit 3\n"
        f"steady: echo $$ >> {steady_pids}; exec sleep 600\n"
    )
    log = tmp_path / "supervisor.log"
    with log.open("w") as out:
        supervisor = subprocess.Popen(
            [sys.executable, "manage.py", "run_embedded", "--procfile", str(procfile), "--grace", "5"],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(lambda: "(restart 2)" in log.read_text(), 30, "flaky restarted twice", log)
        text = log.read_text()
        assert "flaky exited with code 3" in text
        assert "restarting in 1s (restart 1)" in text
        assert "restarting in 2s (restart 2)" in text  # backoff doubles while it keeps failing
        assert text.count("| flaky up") >= 2  # its output, prefixed with its name
        steady = [int(pid) for pid in steady_pids.read_text().split()]
        assert len(steady) == 1  # started once, never restarted
        assert _alive(steady[0])
        assert "steady exited" not in text
        assert supervisor.poll() is None

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=20) == 0
        text = log.read_text()
        assert "SIGTERM received, stopping every process" in text
        assert "all processes stopped" in text
        _wait_for(lambda: not _alive(steady[0]), 5, "steady stopped", log)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def test_procfile_in_honchos_format_is_read_in_order(tmp_path):
    procfile = tmp_path / "Procfile"
    procfile.write_text("# comment\n\nweb: exec server --port ${PORT:-8000}\nworker:   exec celery worker\n")
    assert procfile_read(procfile) == [
        ("web", "exec server --port ${PORT:-8000}"),
        ("worker", "exec celery worker"),
    ]
