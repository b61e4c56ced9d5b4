"""Figures as Indian shops write them, in templates: `{{ amount|inr }}`, `{{ weight|grams }}`, `{{ n|count }}`,
and AWS's dollars as AWS writes them, `{{ spend|usd }}`.

The formatting itself is `apps.core.money`, which services use for their messages too.
"""

from django import template

from apps.core import money

register = template.Library()
register.filter("inr", money.inr)
register.filter("grams", money.grams_text)
register.filter("count", money.count_text)
register.filter("usd", money.usd_text)
