"""Local development: `make run`. Embedded defaults, debug pages, e-mail on the console."""

from .base import *

DEBUG = env.bool("DJANGO_DEBUG", default=True)
