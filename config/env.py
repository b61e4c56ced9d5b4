"""What the environment says, read once: the project's folders and the variables several settings
modules share. Every variable is listed, with its meaning and default, in `.env.example`.
"""

from pathlib import Path
from urllib.parse import quote

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


def database_url(name: str) -> str:
    """`<name>_URL`, or the same URL made of parts: `<name>_USER` and `<name>_PASSWORD` on DATABASE_HOST,
    DATABASE_PORT (5432) and DATABASE_NAME (tijori). Empty when neither is set.

    The parts are how ECS hands over a Secrets Manager secret, one field per variable, so a password
    never sits in a task definition or an image.
    """
    url = env(f"{name}_URL", default="")
    password = env(f"{name}_PASSWORD", default="")
    if url or not password:
        return url
    user = quote(env(f"{name}_USER"), safe="")
    host = env("DATABASE_HOST")
    port = env("DATABASE_PORT", default="5432")
    return (
        f"postgres://{user}:{quote(password, safe='')}@{host}:{port}/{env('DATABASE_NAME', default='tijori')}"
    )
