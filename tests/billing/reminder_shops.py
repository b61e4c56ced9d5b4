"""Shops for the reminder tests: a trial started on a fixed day, owners with predictable addresses, and a
day run the way production runs it (the lifecycle job, then the reminders job)."""

from __future__ import annotations

from datetime import date

from apps.billing import services
from apps.tenants.models import Membership, Role, Tenant
from tests.accounts.factories import UserFactory

START = date(2026, 3, 18)  # a 14-day trial: its last day is 31 March, grace (15 days) to 15 April
END = date(2026, 3, 31)


def make_shop(name: str, *, started: date = START, owners: int = 1) -> Tenant:
    """A shop whose trial started on `started`, with `owners` owners (owner<n>@<slug>.in) and a staff member."""
    slug = name.lower().replace(" ", "-")
    shop = Tenant.objects.create(kind=Tenant.Kind.SHOP, name=name, slug=slug, state_code="27")
    for n in range(owners):
        Membership.objects.create(tenant=shop, user=UserFactory(email=f"owner{n}@{slug}.in"), role=Role.OWNER)
    Membership.objects.create(tenant=shop, user=UserFactory(email=f"staff@{slug}.in"), role=Role.STAFF)
    services.contract_start_trial(tenant=shop, caused_by="test", today=started)
    return shop


def day_run(day: date) -> services.ReminderRun:
    """One day as it runs in production: the lifecycle job, then the reminders job."""
    services.contracts_lifecycle_advance(today=day)
    return services.reminders_send(today=day)
