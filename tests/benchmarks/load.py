"""One load scenario with locust, run as its own process: `python -m tests.benchmarks.load SPEC OUT`.

A separate process because locust monkey-patches the standard library for gevent, which must not
happen in the harness process that talks to PostgreSQL through Django. SPEC is a JSON file written
by the harness; the figures go to OUT as JSON.

The measurement window opens once every user has had a first answer (the ramp-up is not measured)
and closes after `seconds`; the figures are taken at that instant, before users are stopped.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import time
from pathlib import Path

import gevent
import psutil
from geventhttpclient.connectionpool import ConnectionPool
from locust import FastHttpUser, between, constant, task
from locust.env import Environment
from locust.log import setup_logging
from locust.stats import StatsEntry

SPEC: dict = {}


def _headers(credential: dict, auth: str) -> dict[str, str]:
    if auth == "session":
        # Set by hand: production cookies are Secure, which a browser would not send over plain http.
        return {"Cookie": f"{SPEC['session_cookie_name']}={credential['session_key']}"}
    if auth == "key":
        return {"Authorization": f"Bearer {credential['api_key']}"}
    return {}


class BenchUser(FastHttpUser):
    abstract = True
    # Bounded, so that a hung server fails requests instead of hanging the run.
    network_timeout = 30.0
    connection_timeout = 10.0
    _numbers = itertools.count()
    answered = 0  # users whose first request has come back

    def on_start(self) -> None:
        # Only the headers set above go out: no cookie picked up from a response (csrftoken, a
        # refreshed session) changes what later requests send.
        self.client.client.cookiejar = None
        credentials = SPEC["credentials"]
        self.credential = credentials[next(self._numbers) % len(credentials)] if credentials else {}
        self.first = True

    def fetch(self, path: str, auth: str) -> None:
        name = path.split("?")[0]  # {draft} stays in the name: one row for everyone's open sale
        with self.client.get(
            path.replace("{draft}", str(self.credential.get("draft_id"))),
            headers=_headers(self.credential, auth),
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # A redirect (to the login page) or any non-200 answer is an error, not a fast success.
            if response.status_code != 200:
                response.failure(response.error or f"HTTP {response.status_code}")
        if self.first:
            self.first = False
            BenchUser.answered += 1


class SingleEndpointUser(BenchUser):
    """Asks for one URL again and again with no pause: finds the most the server can do."""

    wait_time = constant(0)

    @task
    def endpoint(self) -> None:
        self.fetch(SPEC["path"], SPEC["auth"])


class MixedUser(BenchUser):
    """A person at the shop counter: pages in the browser and an integration's API calls, with pauses."""

    wait_time = between(1, 3)

    @task
    def mix(self) -> None:
        path, auth = random.choices(
            [(p["path"], p["auth"]) for p in SPEC["mix"]], weights=[p["weight"] for p in SPEC["mix"]]
        )[0]
        self.fetch(path, auth)


class ServerWatch:
    """CPU time of gunicorn's master and workers over the window, and how many workers it started.

    Workers recycled by max_requests exit mid-window; the master reaps them, which adds their CPU
    time to its `children_*` times, so the total stays whole.
    """

    def __init__(self, master_pid: int) -> None:
        self.master = psutil.Process(master_pid)
        self.workers_at_start: set[int] = set()
        self.workers_seen: set[int] = set()
        self.cpu_at_start = 0.0
        self.worker_cpu_at_start: dict[int, float] = {}

    def _workers(self) -> list[psutil.Process]:
        try:
            return self.master.children(recursive=True)
        except psutil.Error:
            return []

    def _cpu(self) -> float:
        try:
            times = self.master.cpu_times()
        except psutil.Error:
            return 0.0
        master = times.user + times.system + times.children_user + times.children_system
        return master + sum(self._worker_cpu().values())

    def _worker_cpu(self) -> dict[int, float]:
        """CPU seconds each live worker has used since it started."""
        found = {}
        for worker in self._workers():
            try:
                times = worker.cpu_times()
            except psutil.Error:
                continue
            found[worker.pid] = times.user + times.system
        return found

    def worker_connections(self, port: int) -> list[int]:
        """Established connections each worker holds to the server's port (keep-alive ties a client
        to the worker that accepted it), most first."""
        counts = []
        for worker in self._workers():
            try:
                held = worker.net_connections(kind="tcp")
            except psutil.Error:
                continue
            counts.append(
                sum(1 for c in held if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)
            )
        return sorted(counts, reverse=True)

    def start(self) -> None:
        self.workers_at_start = {w.pid for w in self._workers()}
        self.workers_seen = set(self.workers_at_start)
        self.cpu_at_start = self._cpu()
        self.worker_cpu_at_start = self._worker_cpu()

    def worker_cpu_seconds(self) -> list[float]:
        """CPU seconds each worker that lived through the window spent in it, most first."""
        now = self._worker_cpu()
        return sorted(
            (now[pid] - cpu for pid, cpu in self.worker_cpu_at_start.items() if pid in now), reverse=True
        )

    def sample(self) -> None:
        self.workers_seen |= {w.pid for w in self._workers()}

    def finish(self) -> tuple[float, int]:
        """CPU seconds used since start() and the number of workers started meanwhile."""
        self.sample()
        return self._cpu() - self.cpu_at_start, len(self.workers_seen - self.workers_at_start)


class ConnectionCount:
    """TCP connections the load generator opens; with keep-alive, about one per user, not per request."""

    opened = 0

    @classmethod
    def install(cls) -> None:
        create = ConnectionPool._create_socket

        def counting_create(pool):
            sock = create(pool)
            cls.opened += 1
            return sock

        ConnectionPool._create_socket = counting_create


def _busy_cpu() -> float:
    """CPU seconds the whole machine has spent working (guest time is already inside user time)."""
    times = psutil.cpu_times()
    fields = ("user", "nice", "system", "irq", "softirq", "steal")
    return sum(getattr(times, name, 0.0) for name in fields)


def _figures(entry: StatsEntry, seconds: float) -> dict:
    def pct(q: float) -> float | None:
        return entry.get_response_time_percentile(q) if entry.num_requests else None

    return {
        "requests": entry.num_requests,
        "errors": entry.num_failures,
        "req_per_s": round(entry.num_requests / seconds, 1) if seconds else 0.0,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "avg_ms": round(entry.avg_response_time, 1),
        "max_ms": round(entry.max_response_time or 0, 1),
    }


def run(spec: dict) -> dict:
    SPEC.update(spec)
    ConnectionCount.install()
    user_class = MixedUser if spec["kind"] == "mixed" else SingleEndpointUser
    env = Environment(user_classes=[user_class], host=spec["host"])
    runner = env.create_local_runner()
    watch = ServerWatch(spec["server_pid"])
    me = psutil.Process()

    runner.start(spec["users"], spawn_rate=spec["spawn_rate"])
    ramp_limit = spec["users"] / spec["spawn_rate"] + 30
    runner.spawning_greenlet.join(timeout=ramp_limit)
    if not runner.spawning_greenlet.ready():
        runner.quit()
        raise SystemExit(f"locust did not start {spec['users']} users within {ramp_limit:.0f}s")

    # Until each user has had its first answer, connections are still being opened and the
    # server's queue is filling: not the steady state to measure.
    settle_until = time.monotonic() + 30
    while BenchUser.answered < spec["users"] and time.monotonic() < settle_until:
        gevent.sleep(0.1)

    env.stats.reset_all()
    opened_before = ConnectionCount.opened
    watch.start()
    client_cpu = sum(me.cpu_times()[:2])
    machine_cpu = _busy_cpu()
    started = time.monotonic()
    deadline = started + spec["seconds"]
    connections_mid = None
    worker_connections: list[int] = []
    while (left := deadline - time.monotonic()) > 0:
        gevent.sleep(min(1.0, left))
        watch.sample()
        if connections_mid is None and time.monotonic() - started >= spec["seconds"] / 2:
            worker_connections = watch.worker_connections(spec["port"])
            connections_mid = sum(worker_connections)
    # Figures first: stopping the users cuts requests short, which must not count as errors.
    elapsed = time.monotonic() - started
    client_cpu = sum(me.cpu_times()[:2]) - client_cpu
    machine_busy = _busy_cpu() - machine_cpu
    worker_cpu = watch.worker_cpu_seconds()
    server_cpu, workers_started = watch.finish()
    result = {
        "seconds": round(elapsed, 1),
        **_figures(env.stats.total, elapsed),
        "endpoints": {
            f"{entry.method} {name}": _figures(entry, elapsed)
            for (name, _method), entry in sorted(env.stats.entries.items())
        },
        "error_kinds": [
            {"request": f"{e.method} {e.name}", "error": str(e.error)[:200], "count": e.occurrences}
            for e in sorted(env.stats.errors.values(), key=lambda e: -e.occurrences)[:5]
        ],
        "server_cpu_percent": round(100 * server_cpu / elapsed, 1),
        "client_cpu_percent": round(100 * client_cpu / elapsed, 1),
        # PostgreSQL, Redis and anything else running on the machine meanwhile.
        "other_cpu_percent": round(100 * max(machine_busy - server_cpu - client_cpu, 0.0) / elapsed, 1),
        "machine_cpu_capacity_percent": 100 * (psutil.cpu_count() or 1),
        "workers_started": workers_started,
        "connections_opened": ConnectionCount.opened - opened_before,
        "connections_open_mid_run": connections_mid,
        # A skewed split (one worker holding most keep-alive connections) caps the server at one core.
        "worker_cpu_percent": [round(100 * cpu / elapsed) for cpu in worker_cpu],
        "worker_connections_mid_run": worker_connections,
    }
    api = [e for (name, _m), e in env.stats.entries.items() if name.startswith("/api/v1/")]
    if spec["kind"] == "mixed" and api:
        combined = StatsEntry(env.stats, "API", "GET")
        for entry in api:
            combined.extend(entry)
        result["api"] = _figures(combined, elapsed)
    runner.quit()
    return result


def main() -> None:
    setup_logging("WARNING")
    spec = json.loads(Path(sys.argv[1]).read_text())
    result = run(spec)
    Path(sys.argv[2]).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
