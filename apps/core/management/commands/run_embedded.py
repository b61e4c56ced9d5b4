"""`make run`: start every process of the Procfile and keep them up.

honcho stops every process when one exits, so one crash (a worker that died on a broker error) took
the web server, beat and the AWS emulator down with it. Here a process that exits is started again
after a backoff (1 s, doubling up to 30 s while it keeps failing quickly), with a log line naming it,
its exit code and the restart; the others run on. Ctrl-C or SIGTERM stops them all: SIGTERM to each
process group, SIGKILL to whatever is left after the grace period.

The Procfile keeps honcho's format (`name: command`, run by /bin/sh, `#` comments), so honcho or
any Procfile runner still reads it.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")
BACKOFF_FIRST = 1.0  # seconds before the first restart
BACKOFF_MAX = 30.0
STABLE_AFTER = 60.0  # a process that ran this long before exiting starts again from BACKOFF_FIRST
POLL = 0.2


def procfile_read(path: Path) -> list[tuple[str, str]]:
    """The (name, command) pairs of a Procfile, in order."""
    entries = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = PROCFILE_LINE.match(line)
        if not match:
            raise CommandError(f"{path}:{number}: expected 'name: command', got {raw!r}")
        entries.append((match.group(1), match.group(2)))
    if not entries:
        raise CommandError(f"{path} names no process")
    return entries


@dataclass
class Process:
    """One Procfile entry and its current run."""

    name: str
    command: str
    popen: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0  # quick exits in a row, for the backoff
    restarts: int = 0
    restart_at: float | None = None
    pumps: list[threading.Thread] = field(default_factory=list)


class Supervisor:
    def __init__(self, entries: list[tuple[str, str]], *, out, grace: float) -> None:
        self.processes = [Process(name, command) for name, command in entries]
        self.width = max(len(p.name) for p in [*self.processes, Process("system", "")])
        self.out = out
        self.grace = grace
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def say(self, name: str, text: str) -> None:
        stamp = datetime.now(UTC).strftime("%H:%M:%S")
        with self.lock:
            self.out.write(f"{stamp} {name:<{self.width}} | {text}\n")
            self.out.flush()

    def start(self, process: Process) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # Its own session: Ctrl-C reaches only the supervisor, which then stops each group in order.
        process.popen = subprocess.Popen(  # noqa: S603 - the commands of our own Procfile
            ["/bin/sh", "-c", process.command],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        process.started_at = time.monotonic()
        process.restart_at = None
        pump = threading.Thread(target=self._pump, args=(process.name, process.popen), daemon=True)
        pump.start()
        process.pumps = [pump]
        self.say("system", f"{process.name} started (pid {process.popen.pid})")

    def _pump(self, name: str, popen: subprocess.Popen) -> None:
        for raw in iter(popen.stdout.readline, b""):
            self.say(name, raw.decode(errors="replace").rstrip("\n"))
        popen.stdout.close()

    def _exited(self, process: Process, code: int) -> None:
        ran = time.monotonic() - process.started_at
        process.failures = 1 if ran >= STABLE_AFTER else process.failures + 1
        delay = min(BACKOFF_FIRST * 2 ** (process.failures - 1), BACKOFF_MAX)
        process.restarts += 1
        process.restart_at = time.monotonic() + delay
        process.popen = None
        how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
        self.say(
            "system",
            f"{process.name} {how} after {ran:.1f}s; restarting in {delay:.0f}s (restart {process.restarts})",
        )

    def run(self) -> None:
        for process in self.processes:
            self.start(process)
        while not self.stopping.is_set():
            now = time.monotonic()
            for process in self.processes:
                if process.popen is not None:
                    code = process.popen.poll()
                    if code is not None:
                        for pump in process.pumps:
                            pump.join(timeout=1)  # its last lines come before the exit line
                        self._exited(process, code)
                elif process.restart_at is not None and now >= process.restart_at:
                    self.start(process)
            self.stopping.wait(POLL)
        self.stop_all()

    def stop_all(self) -> None:
        running = [p for p in self.processes if p.popen is not None and p.popen.poll() is None]
        for process in running:
            self.say("system", f"stopping {process.name} (pid {process.popen.pid})")
            self._signal(process, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for process in running:
            try:
                process.popen.wait(timeout=max(deadline - time.monotonic(), 0))
            except subprocess.TimeoutExpired:
                self.say("system", f"{process.name} did not stop in {self.grace:.0f}s; killing it")
                self._signal(process, signal.SIGKILL)
                process.popen.wait()
        for process in running:
            for pump in process.pumps:
                pump.join(timeout=1)
        self.say("system", "all processes stopped")

    @staticmethod
    def _signal(process: Process, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.popen.pid, signum)  # the group: sh and whatever it started


class Command(BaseCommand):
    help = "Start the processes of a Procfile, restart any that exits, stop all on Ctrl-C or SIGTERM."

    def add_arguments(self, parser):
        parser.add_argument("--procfile", default="Procfile", help="Procfile to run (default: Procfile)")
        parser.add_argument(
            "--grace", type=float, default=15.0, help="seconds a process has to stop before SIGKILL"
        )

    def handle(self, *args, **options):
        supervisor = Supervisor(
            procfile_read(Path(options["procfile"])), out=sys.stdout, grace=options["grace"]
        )

        def request_stop(signum, frame):
            if not supervisor.stopping.is_set():
                supervisor.say("system", f"{signal.Signals(signum).name} received, stopping every process")
            supervisor.stopping.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        supervisor.run()
