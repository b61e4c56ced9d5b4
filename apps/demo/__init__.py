"""Demo data for `make run` (`manage.py demo_seed`).

The top floor: it builds a shop through the services of `accounts`, `tenants` and `inventory`, so it
lives above them rather than in `core`, which every app imports.
"""
