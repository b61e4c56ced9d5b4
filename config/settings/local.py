"""Local development: `make run`. Embedded defaults, debug pages, e-mail on the console."""

from .base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)
