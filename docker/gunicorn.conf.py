"""gunicorn for Tijori: sized for the machine, logs to stdout, keep-alive longer than the balancer's idle timeout."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# One worker per core, each with a few threads: a worker's Python runs on one core at a time, and its
# threads overlap the waits on PostgreSQL and Redis. More workers answered no more requests on the same
# cores and took more memory (`make bench-servers`; docs/performance.md, "The web server's shape").
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# Longer than an AWS ALB's 60 s idle timeout, so the balancer closes first (no 502 on reuse).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 75))
# Load Django once in the master and fork: a worker (re)start then costs no import time, and
# workers share the loaded code's memory. Django opens no database connection at import.
preload_app = True
# Recycling guards against slow leaks; rarely, because each restart drops keep-alive connections.
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")
# Heartbeat files in memory: a container's /tmp may be on slow overlay storage (gunicorn docs, "Blocking OS calls").
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
