"""Celery: the broker, task limits, queues and routes, and the beat schedule."""

from celery.schedules import crontab
from kombu import Queue

from config.env import REDIS_URL, VAR_DIR, env

CELERY_DATA_DIR = VAR_DIR / "celery"
# Embedded default: kombu's SQLAlchemy transport on an SQLite file, safe with several processes (the
# filesystem transport raced: a worker read a half-written message file and died). It has no
# visibility timeout, so a task lost with its worker is sent again by the reapers, not the broker.
CELERY_BROKER_URL = env(
    "CELERY_BROKER_URL",
    default=REDIS_URL or f"sqla+sqlite:///{(CELERY_DATA_DIR / 'broker.sqlite3').resolve()}",
)
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("sqla+"):
    # These go to SQLAlchemy's create_engine: wait for another process's write instead of failing.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 30}}
elif CELERY_BROKER_URL.startswith("redis"):
    # Above every task's hard time limit, so a long task is never handed to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60 * 2}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=15 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=20 * 60)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("aws"), Queue("reports"))
CELERY_TASK_ROUTES = {
    "apps.provisioning.tasks.*": {"queue": "aws"},
    "apps.*.tasks.*_report_task": {"queue": "reports"},
    "apps.*.tasks.*_export_task": {"queue": "reports"},
    "apps.reports.tasks.export_build_task": {"queue": "reports"},
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE = {
    "idempotency-keys-purge": {
        "task": "apps.core.tasks.idempotency_keys_purge_task",
        "schedule": crontab(minute=7),
    },
    "audit-retention-purge": {
        "task": "apps.audit.tasks.audit_retention_purge_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "stock-import-files-purge": {
        "task": "apps.inventory.tasks.stock_import_files_purge_task",
        "schedule": crontab(hour=3, minute=10),
    },
    # 02:00 in India, the quietest hour; RDS takes its own snapshot in another window.
    "database-backup": {
        "task": "apps.core.tasks.database_backup_task",
        "schedule": crontab(hour=20, minute=30),
    },
    "projects-expire": {"task": "apps.provisioning.tasks.projects_expire_task", "schedule": 60.0},
    "operations-reap": {"task": "apps.provisioning.tasks.operations_reap_task", "schedule": 60.0},
    "exports-reap": {"task": "apps.reports.tasks.exports_reap_task", "schedule": 60.0},
    # 03:40 in India; in S3 the bucket's lifecycle rule expires the files too.
    "exports-expired-remove": {
        "task": "apps.reports.tasks.exports_expired_remove_task",
        "schedule": crontab(hour=22, minute=10),
    },
    "orphans-sweep": {
        "task": "apps.provisioning.tasks.orphans_sweep_task",
        "schedule": crontab(minute="*/15"),
    },
    # 00:20 in India: a period ends at the end of its last day there.
    "contracts-lifecycle": {
        "task": "apps.billing.tasks.contracts_lifecycle_task",
        "schedule": crontab(hour=18, minute=50),
    },
    # 01:00 in India, after the lifecycle job has moved the day's contracts: the AMC reminders due
    # today, each sent once however often this runs (a run that dies is redelivered and goes on).
    "contracts-reminders": {
        "task": "apps.billing.tasks.contracts_reminders_task",
        "schedule": crontab(hour=19, minute=30),
    },
    # 00:05 in India, before the lifecycle job: AMC payments whose webhook never came (Razorpay stops
    # retrying after 24 hours), so a shop that paid is renewed before its period is judged.
    "billing-orders-reconcile": {
        "task": "apps.billing.tasks.billing_orders_reconcile_task",
        "schedule": crontab(hour=18, minute=35),
    },
}
if CELERY_BROKER_URL.startswith("sqla+"):
    # The SQLAlchemy transport keeps every delivered message as a row; delete them.
    CELERY_BEAT_SCHEDULE["broker-delivered-purge"] = {
        "task": "apps.core.tasks.broker_delivered_purge_task",
        "schedule": crontab(minute="*/10"),
    }
if env.bool("TIJORI_BEAT_EVERY_MINUTE", default=False):
    # Soak tests: every beat job due each minute, so a short run sees them all fire together.
    for _entry in CELERY_BEAT_SCHEDULE.values():
        _entry["schedule"] = crontab()
# Extra task modules the worker loads, e.g. tests.soak.tasks for the soak test. Default: none.
CELERY_IMPORTS = env.list("CELERY_IMPORTS", default=[])
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
