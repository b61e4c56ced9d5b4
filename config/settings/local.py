"""Local development: `make run`. Embedded defaults, debug pages, e-mail on the console."""

from .base import *

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# AMC payments go to the local stand-in for Razorpay, billed by a demo platform (config.settings.billing).
globals().update(embedded_defaults())
