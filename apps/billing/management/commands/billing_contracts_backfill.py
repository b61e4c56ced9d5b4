"""Give every tenant made before AMC billing existed its contract: a shop the default plan's trial from
today, a personal workspace the free plan. Safe to run again: tenants with a contract are left alone."""

from django.core.management.base import BaseCommand

from apps.billing import services
from apps.core.rls import rls_bypass


class Command(BaseCommand):
    help = (
        "Give every tenant without an AMC contract one (shops: a trial from today; personal: the free plan)."
    )

    def handle(self, *args, **options):
        with rls_bypass():  # every tenant's contract: platform-wide
            made = services.contracts_backfill(caused_by="contracts for existing workspaces")
        self.stdout.write(f"{made} contract(s) started.")
