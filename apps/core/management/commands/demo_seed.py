"""Demo data for `make run`: safe to run again, it only adds what is missing."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User
from apps.tenants import services as tenant_services
from apps.tenants.models import Membership, Role, Tenant

DEMO_PASSWORD = "tijori-demo-2026"  # noqa: S105 - printed on purpose: local demo only
SUPERADMIN = "admin@tijori.local"
OWNER = "owner@lakshmi.example"
STAFF = "staff@lakshmi.example"
BUILDER = "builder@tijori.local"


class Command(BaseCommand):
    help = "Create the demo super admin, a jewellery shop with an owner and staff, and a personal workspace."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Don't print the logins.")

    @transaction.atomic
    def handle(self, *args, quiet=False, **options):
        if not User.objects.filter(email=SUPERADMIN).exists():
            User.objects.create_superuser(SUPERADMIN, DEMO_PASSWORD, full_name="Platform Admin")
        owner = self._user(OWNER, "Lakshmi Narayanan")
        staff = self._user(STAFF, "Ravi Kumar")
        builder = self._user(BUILDER, "Asha Builder")

        shop = Tenant.objects.filter(slug="lakshmi-jewellers").first()
        if shop is None:
            shop = tenant_services.tenant_create(
                owner=owner,
                kind=Tenant.Kind.SHOP,
                name="Lakshmi Jewellers",
                state_code="27",
                gstin="27AAPFU0939F1ZV",
                address="12 Zaveri Bazaar, Mumbai 400002",
            )
        Membership.objects.get_or_create(tenant=shop, user=staff, defaults={"role": Role.STAFF})
        if not Membership.objects.filter(user=builder, tenant__kind=Tenant.Kind.PERSONAL).exists():
            tenant_services.tenant_create(owner=builder, kind=Tenant.Kind.PERSONAL, name="Asha's projects")
        # The owner also runs a personal workspace, to show switching between tenants.
        if not Membership.objects.filter(user=owner, tenant__kind=Tenant.Kind.PERSONAL).exists():
            tenant_services.tenant_create(
                owner=owner, kind=Tenant.Kind.PERSONAL, name="Lakshmi's side projects"
            )

        if not quiet:
            self.stdout.write(self.style.SUCCESS("Demo data is ready."))
            self.stdout.write(f"  Open          {settings.SITE_URL}/")
            self.stdout.write(f"  Shop owner    {OWNER} / {DEMO_PASSWORD}")
            self.stdout.write(f"  Shop staff    {STAFF} / {DEMO_PASSWORD}")
            self.stdout.write(f"  Builder       {BUILDER} / {DEMO_PASSWORD}")
            self.stdout.write(f"  Super admin   {SUPERADMIN} / {DEMO_PASSWORD}  ({settings.SITE_URL}/admin/)")

    def _user(self, email: str, name: str) -> User:
        user = User.objects.filter(email=email).first()
        return user or User.objects.create_user(email, DEMO_PASSWORD, full_name=name)
