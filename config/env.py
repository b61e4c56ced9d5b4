"""What the environment says, read once: the project's folders and the variables several settings
modules share. Every variable is listed, with its meaning and default, in `.env.example`.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")
VAR_DIR = Path(env("TIJORI_VAR_DIR", default=str(BASE_DIR / "var")))

# The cache and, by default, the Celery broker.
REDIS_URL = env("REDIS_URL", default="")
# Proxies in front of the web process that append to X-Forwarded-For (1 behind a load balancer); the
# login lockout (axes) and the API throttles both key on the client address they leave.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
