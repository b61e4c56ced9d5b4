"""Soak test of `make run` on the embedded defaults (SQLite, embedded broker); not part of `make test`.

    .venv/bin/python -m tests.soak.run --minutes 30 --tasks 500 --var-dir /tmp/tijori-soak-run

Starts `make run` on a fresh TIJORI_VAR_DIR with every beat job due each minute
(TIJORI_BEAT_EVERY_MINUTE=1), sends a bounded stream of marker tasks (half in bursts on the minute,
when every beat job fires too, half at random moments), asks the web server for its health each
minute, then stops everything with SIGINT as Ctrl-C would and checks: every task done exactly once,
every beat job run each minute, no process exit, no error in the logs, no process left behind.
Prints the figures and writes them to <var-dir>/soak-summary.json; exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROCESSES = ("web", "worker", "beat", "aws")


def log(text: str) -> None:
    print(f"{datetime.now(UTC):%H:%M:%S} soak | {text}", flush=True)


def web_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health/live", timeout=10) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(1)
    raise SystemExit(f"soak: {what} not within {timeout:.0f}s")


def send_plan(*, tasks: int, window: float, start: float) -> list[float]:
    """Monotonic times at which to send each task: half in bursts on the minute, half at random."""
    rng = random.Random(12)  # the same plan on every run
    wall_start = time.time()
    first_minute = (int(wall_start // 60) + 1) * 60
    boundaries = [start + (m - wall_start) for m in range(first_minute, int(wall_start + window), 60)]
    in_bursts = tasks // 2 if boundaries else 0
    times = [boundaries[i % len(boundaries)] for i in range(in_bursts)]
    times += [start + rng.uniform(0, window) for _ in range(tasks - in_bursts)]
    return sorted(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--aws-port", type=int, default=5077)
    parser.add_argument("--var-dir", type=Path, default=Path("/tmp/tijori-soak-run"))
    args = parser.parse_args()

    var_dir = args.var_dir.resolve()
    if var_dir.exists():
        shutil.rmtree(var_dir)  # a fresh state: database, broker, beat schedule
    marks = var_dir / "soak-marks"
    marks.mkdir(parents=True)
    run_log = var_dir / "make-run.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL", "DATABASE_OWNER_URL"}
    }
    env.update(
        TIJORI_VAR_DIR=str(var_dir),
        TIJORI_BEAT_EVERY_MINUTE="1",
        CELERY_IMPORTS="tests.soak.tasks",
        DJANGO_SETTINGS_MODULE="config.settings.local",
    )
    os.environ.clear()
    os.environ.update(env)  # this process sends the tasks, through the same broker

    log(f"make run PORT={args.port} AWS_EMULATOR_PORT={args.aws_port}, TIJORI_VAR_DIR={var_dir}")
    with run_log.open("wb") as out:
        make = subprocess.Popen(
            ["make", "run", f"PORT={args.port}", f"AWS_EMULATOR_PORT={args.aws_port}"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own group, signalled below as Ctrl-C would be
        )
    log(f"make pid {make.pid}; log {run_log}")
    try:
        wait_until(
            lambda: all(f" {name} started (pid" in run_log.read_text() for name in PROCESSES),
            600,
            "every process started",
        )
        wait_until(lambda: web_answers(args.port), 120, "the web server answering")
        wait_until(lambda: "ready." in run_log.read_text(), 120, "the worker ready")
        figures = soak(args=args, marks=marks, run_log=run_log)
    finally:
        stop_requested = time.monotonic()
        if make.poll() is None:
            log(f"SIGINT to make's process group {make.pid}, as Ctrl-C")
            os.killpg(make.pid, signal.SIGINT)
        try:
            make.wait(timeout=90)
        except subprocess.TimeoutExpired:
            log("make did not stop within 90 s")
    figures["stop_seconds"] = round(time.monotonic() - stop_requested, 1)
    figures.update(analyse(run_log=run_log, marks=marks, var_dir=var_dir, sent=figures["tasks_sent"]))
    (var_dir / "soak-summary.json").write_text(json.dumps(figures, indent=2))
    failures = verdict(figures, minutes=args.minutes)
    print(json.dumps(figures, indent=2))
    for failure in failures:
        log(f"FAIL: {failure}")
    log("PASS" if not failures else f"{len(failures)} check(s) failed")
    return 1 if failures else 0


def soak(*, args, marks: Path, run_log: Path) -> dict:
    import django

    django.setup()
    from django.conf import settings

    from tests.soak.tasks import soak_mark_task

    duration = args.minutes * 60
    drain = min(240.0, duration / 4)  # the last minutes send nothing, so the backlog can finish
    start = time.monotonic()
    started_at = datetime.now(UTC)
    plan = send_plan(tasks=args.tasks, window=duration - drain, start=start)
    log(
        f"soak for {args.minutes:g} min from {started_at:%H:%M:%S} UTC, {args.tasks} tasks, broker {settings.CELERY_BROKER_URL}"
    )
    sent = send_errors = health_checks = health_failures = 0
    next_health = start
    for number, when in enumerate(plan):
        while time.monotonic() < when:
            if time.monotonic() >= next_health:
                health_checks += 1
                health_failures += not web_answers(args.port)
                next_health += 60
            time.sleep(min(0.2, max(when - time.monotonic(), 0)))
        try:
            soak_mark_task.apply_async(args=[str(marks), number])
            sent += 1
        except Exception as exc:
            send_errors += 1
            log(f"send {number} failed: {exc!r}")
    log(f"{sent} tasks sent, {send_errors} send errors")
    while time.monotonic() < start + duration:
        if time.monotonic() >= next_health:
            health_checks += 1
            health_failures += not web_answers(args.port)
            next_health += 60
        time.sleep(1)
    deadline = time.monotonic() + 180  # a backlog may still be draining
    while len(list(marks.iterdir())) < sent and time.monotonic() < deadline:
        time.sleep(1)
    return {
        "started_at": f"{started_at:%Y-%m-%d %H:%M:%S} UTC",
        "ended_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC",
        "duration_minutes": round((time.monotonic() - start) / 60, 1),
        "tasks_planned": args.tasks,
        "tasks_sent": sent,
        "send_errors": send_errors,
        "health_checks": health_checks,
        "health_failures": health_failures,
        "beat_jobs": sorted(settings.CELERY_BEAT_SCHEDULE),
    }


def analyse(*, run_log: Path, marks: Path, var_dir: Path, sent: int) -> dict:
    text = run_log.read_text(errors="replace")
    lines = text.splitlines()
    stop_at = next(
        (i for i, line in enumerate(lines) if "received, stopping every process" in line), len(lines)
    )
    exits = [line for line in lines[:stop_at] if re.search(r"\| \S+ (exited with code|was killed by)", line)]
    starts = Counter(m.group(1) for m in re.finditer(r"\| (\S+) started \(pid \d+\)", text))
    pids = [int(m.group(1)) for m in re.finditer(r"started \(pid (\d+)\)", text)]
    beat_sent = Counter(m.group(1) for m in re.finditer(r"Sending due task (\S+) ", text))
    succeeded = Counter(m.group(1) for m in re.finditer(r"Task (\S+)\[[0-9a-f-]+\] succeeded", text))
    failed = Counter(m.group(1) for m in re.finditer(r"Task (\S+)\[[0-9a-f-]+\] raised", text))
    errors = [line for line in lines if re.search(r"\b(ERROR|CRITICAL)\b|Traceback", line)]
    runs = {path.name: path.read_text().count("done") for path in marks.iterdir()}
    broker = {}
    broker_file = var_dir / "celery" / "broker.sqlite3"
    if broker_file.exists():
        with sqlite3.connect(broker_file) as db:
            broker = dict(
                db.execute("SELECT visible, COUNT(*) FROM kombu_message GROUP BY visible").fetchall()
            )
    return {
        "tasks_done": len(runs),
        "tasks_missing": sent - len(runs),
        "tasks_run_twice": sum(1 for count in runs.values() if count > 1),
        "process_starts": dict(starts),
        "restarts": sum(starts.values()) - len(starts),
        "unexpected_exits": exits,
        "stopped_cleanly": "all processes stopped" in text,
        "processes_left_running": [pid for pid in pids if _alive(pid)],
        "beat_sent": dict(beat_sent),
        "tasks_succeeded": dict(succeeded),
        "tasks_failed": dict(failed),
        "error_lines": errors[:20],
        "error_line_count": len(errors),
        "broker_rows_at_end": {"pending": broker.get(1, 0), "delivered_kept": broker.get(0, 0)},
    }


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()


def verdict(figures: dict, *, minutes: float) -> list[str]:
    failures = []
    if figures["send_errors"] or figures["tasks_sent"] != figures["tasks_planned"]:
        failures.append(f"sent {figures['tasks_sent']} of {figures['tasks_planned']} tasks")
    if figures["tasks_missing"]:
        failures.append(f"{figures['tasks_missing']} tasks lost")
    if figures["tasks_run_twice"]:
        failures.append(f"{figures['tasks_run_twice']} tasks ran twice")
    if figures["unexpected_exits"] or figures["restarts"]:
        failures.append(f"processes exited: {figures['unexpected_exits']}")
    if figures["health_failures"]:
        failures.append(f"web did not answer {figures['health_failures']} health checks")
    if not figures["stopped_cleanly"] or figures["processes_left_running"]:
        failures.append(f"not stopped cleanly; left running: {figures['processes_left_running']}")
    if figures["tasks_failed"] or figures["error_line_count"]:
        failures.append(f"errors: {figures['tasks_failed']} {figures['error_lines'][:3]}")
    expected_runs = int(minutes) - 2  # the first and last minute may be partial
    for job in figures["beat_jobs"]:
        if figures["beat_sent"].get(job, 0) < expected_runs:
            failures.append(
                f"beat job {job} sent {figures['beat_sent'].get(job, 0)} times, expected {expected_runs}+"
            )
    return failures


if __name__ == "__main__":
    sys.exit(main())
