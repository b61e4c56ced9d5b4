"""Provisioning figures: time from request to deployed over many stacks, and the expiry sweep's speed.

`make bench` runs `measure()` as a step of tests/benchmarks/run.py, on the bench database it has
just seeded and the bench Redis as the broker: a moto server stands in for AWS, two Celery worker
processes (solo pool, queue `aws`) do the work, and BENCH_STACKS projects are provisioned at once,
as members clicking Provision together would. Each stack's time runs from the request (the
operation row) to deployed (the operation finished). Then BENCH_EXPIRED deployed projects past
their expiry are put in the database and the beat job's `projects_expire_due()` is timed alone
(the workers are stopped first, so it competes with nothing).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.provisioning import aws
from apps.provisioning.models import Operation, Project, TenantQuota
from apps.provisioning.services import operation_request, project_create, projects_expire_due
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from config.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parents[2]


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.isdigit() else default


STACKS = _int("BENCH_STACKS", 20)
WORKERS = _int("BENCH_PROVISION_WORKERS", 2)
EXPIRED = _int("BENCH_EXPIRED", 1000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _workers(endpoint: str, log_dir: Path) -> list[subprocess.Popen]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DATABASE_URL": f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:"
        f"{db.get('PORT') or 5432}/{db['NAME']}",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "TIJORI_ENVIRONMENT": settings.TIJORI_ENVIRONMENT,
    }
    processes = []
    for n in range(WORKERS):
        log = open(log_dir / f"worker-{n}.log", "w")  # noqa: SIM115 - lives as long as the process
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--loglevel=INFO",
                    "--queues=aws",
                    "--without-mingle",
                    "--without-gossip",
                    f"--hostname=bench-{n}-{os.getpid()}@%h",
                ],
                env=env,
                cwd=BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if all("ready." in (log_dir / f"worker-{n}.log").read_text() for n in range(WORKERS)):
            return processes
        time.sleep(0.2)
    _stop(processes)  # never leave a worker behind to take the next run's tasks
    raise SystemExit("the bench workers did not start; see " + str(log_dir))


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def measure(log_dir: Path | None = None) -> dict:
    log_dir = log_dir or BASE_DIR / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    # Its own process, as in `make run`: the workers' calls don't queue behind this harness.
    moto_log = open(log_dir / "moto.log", "w")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=moto_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("POST", "/moto-api/config", json.dumps({"lambda": {"use_docker": False}}))
            conn.getresponse().read()
            conn.close()
            break
        except OSError:
            time.sleep(0.1)
    saved_endpoint, saved_eager = settings.AWS_ENDPOINT_URL, celery_app.conf.task_always_eager
    settings.AWS_ENDPOINT_URL = endpoint
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    celery_app.conf.task_always_eager = False
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    aws.clear_cache()
    owner = User.objects.create_user("builder@bench.tijori.in", None, full_name="Bench Builder")
    tenant = tenant_create(owner=owner, kind=Tenant.Kind.PERSONAL, name="Bench builds")
    TenantQuota.objects.create(
        tenant=tenant, max_projects=STACKS + EXPIRED + 10, max_tenant_usd_month=100_000, note="bench"
    )
    workers = _workers(endpoint, log_dir)
    try:
        projects = [
            project_create(tenant=tenant, actor=owner, name=f"Stack {n}", region="ap-south-1", tier="small")
            for n in range(STACKS)
        ]
        started = time.perf_counter()
        for project in projects:
            with transaction.atomic():
                operation_request(tenant=tenant, actor=owner, project=project, action="provision")
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            active = Operation.objects.filter(project__in=projects, state__in=Operation.ACTIVE).count()
            if not active:
                break
            time.sleep(0.25)
        wall = time.perf_counter() - started
    finally:
        _stop(workers)
    done = Operation.objects.filter(project__in=projects, action="provision")
    seconds = [(op.finished_at - op.created_at).total_seconds() for op in done if op.finished_at]
    succeeded = done.filter(state="succeeded").count()

    now = timezone.now()
    Project.objects.bulk_create(
        Project(
            tenant=tenant,
            name=f"Expired {n}",
            key=f"e{n:07d}",
            region="ap-south-1",
            tier="small",
            estimate_usd_month=0,
            infra_state="deployed",
            deployed_at=now - timedelta(hours=2),
            expires_at=now - timedelta(minutes=1),
        )
        for n in range(EXPIRED)
    )
    sweep_started = time.perf_counter()
    queued = projects_expire_due()
    sweep_seconds = time.perf_counter() - sweep_started
    celery_app.control.purge()  # the destroy tasks of the fake expired projects are not run

    settings.AWS_ENDPOINT_URL, celery_app.conf.task_always_eager = saved_endpoint, saved_eager
    aws.clear_cache()
    server.terminate()
    server.wait(timeout=10)
    moto_log.close()
    return {
        "stacks": STACKS,
        "workers": WORKERS,
        "succeeded": succeeded,
        "wall_seconds": round(wall, 2),
        "p50_seconds": round(statistics.median(seconds), 2) if seconds else None,
        "p95_seconds": round(_percentile(seconds, 0.95), 2) if seconds else None,
        "max_seconds": round(max(seconds), 2) if seconds else None,
        "expired": EXPIRED,
        "sweep_queued": queued,
        "sweep_seconds": round(sweep_seconds, 2),
    }


def print_figures(figures: dict) -> None:
    print(
        f"\nProvisioning: {figures['stacks']} stacks requested at once, {figures['workers']} worker processes, "
        f"AWS emulated by the moto server.\n"
        f"  deployed: {figures['succeeded']} of {figures['stacks']} in {figures['wall_seconds']} s; request to "
        f"deployed p50 {figures['p50_seconds']} s, p95 {figures['p95_seconds']} s, max {figures['max_seconds']} s\n"
        f"  (moto answers at once; real AWS adds seconds per resource, so these time Tijori's own work).\n"
        f"  expiry sweep: {figures['sweep_queued']:,} of {figures['expired']:,} expired projects queued for "
        f"destruction in {figures['sweep_seconds']} s."
    )


if __name__ == "__main__":
    raise SystemExit("Run through `make bench` (tests/benchmarks/run.py), which seeds the bench database.")
