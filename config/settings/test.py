"""Test settings: the embedded defaults unless DATABASE_URL / REDIS_URL point at real servers."""

import os
import secrets

from .base import *

# This run's own names, so that two runs can share a machine: the test database, cache keys and
# broker queues. A worker process started by a test inherits the id through the environment.
TEST_RUN_ID = os.environ.setdefault("TIJORI_TEST_RUN_ID", secrets.token_hex(4))

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Tasks run in-process unless a test starts a real worker (those tests switch this off).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a worker process started by a test sees the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{TEST_RUN_ID}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{TEST_RUN_ID}"}
if REDIS_URL:
    # Clearing the cache between tests deletes this prefix's keys only (tests/conftest.py), never the db.
    CACHES["default"]["KEY_PREFIX"] = f"tijori-test-{TEST_RUN_ID}"
if CELERY_BROKER_URL.startswith("redis"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"tijori-test-{TEST_RUN_ID}:",
    }
LOGGING["root"]["level"] = "WARNING"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
# AMC payments go to the local stand-in for Razorpay, billed by a demo platform (config.settings.billing).
globals().update(embedded_defaults())
