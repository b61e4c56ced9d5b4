"""Demo data for `make run`: safe to run again, it only adds what is missing."""

import io
import random
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from apps.accounts.models import User
from apps.billing import services as billing_services
from apps.core.rls import rls_bypass
from apps.inventory import services as inventory_services
from apps.inventory.models import Purity, StockItem
from apps.invoicing import services as invoicing_services
from apps.invoicing.models import Customer
from apps.tenants import services as tenant_services
from apps.tenants.models import Membership, Role, Tenant

DEMO_PASSWORD = "tijori-demo-2026"  # noqa: S105 - printed on purpose: local demo only
SUPERADMIN = "admin@tijori.local"
OWNER = "owner@lakshmi.example"
STAFF = "staff@lakshmi.example"
BUILDER = "builder@tijori.local"
DEMO_GSTIN = "27AAPFU0939F1ZV"  # the demo shop's; help texts show apps.gst.validators.GSTIN_EXAMPLE instead


class Command(BaseCommand):
    help = "Create the demo super admin, a jewellery shop with an owner and staff, and a personal workspace."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Don't print the logins.")
        parser.add_argument(
            "--url",
            default="",
            help="The address Tijori will answer on, printed with the logins (default: TIJORI_SITE_URL).",
        )

    def handle(self, *args, quiet=False, url="", **options):
        with rls_bypass(), transaction.atomic():  # demo data for several workspaces: platform-wide
            self._seed(quiet=quiet, url=(url or settings.SITE_URL).rstrip("/"))

    def _seed(self, *, quiet: bool, url: str) -> None:
        superadmin = User.objects.filter(email=SUPERADMIN).first()
        if superadmin is None:
            superadmin = User.objects.create_superuser(SUPERADMIN, DEMO_PASSWORD, full_name="Platform Admin")
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
                gstin=DEMO_GSTIN,
                address="12 Zaveri Bazaar, Mumbai 400002",
            )
        if not shop.gstin_verified_at:
            shop = self._gstin_verify(shop, owner, superadmin)
        Membership.objects.get_or_create(tenant=shop, user=staff, defaults={"role": Role.STAFF})
        if not Membership.objects.filter(user=builder, tenant__kind=Tenant.Kind.PERSONAL).exists():
            tenant_services.tenant_create(owner=builder, kind=Tenant.Kind.PERSONAL, name="Asha's projects")
        # The owner also runs a personal workspace, to show switching between tenants.
        if not Membership.objects.filter(user=owner, tenant__kind=Tenant.Kind.PERSONAL).exists():
            tenant_services.tenant_create(
                owner=owner, kind=Tenant.Kind.PERSONAL, name="Lakshmi's side projects"
            )

        # Workspaces seeded before AMC billing existed get their contracts too (new ones got them at birth).
        billing_services.contracts_backfill(caused_by="demo data")

        if not StockItem.objects.for_tenant(shop).exists():
            self._stock(shop, owner)
        if not Customer.objects.for_tenant(shop).exists():
            self._sales(shop, staff)

        if not quiet:
            self.stdout.write(self.style.SUCCESS("Demo data is ready."))
            self.stdout.write(f"  Open          {url}/")
            self.stdout.write(f"  Shop owner    {OWNER} / {DEMO_PASSWORD}")
            self.stdout.write(f"  Shop staff    {STAFF} / {DEMO_PASSWORD}")
            self.stdout.write(f"  Builder       {BUILDER} / {DEMO_PASSWORD}")
            self.stdout.write(f"  Super admin   {SUPERADMIN} / {DEMO_PASSWORD}  ({url}/admin/)")

    def _gstin_verify(self, shop: Tenant, owner: User, superadmin: User) -> Tenant:
        """The shop uploads its certificate (a specimen) and the super admin verifies it, as on the site."""
        shop = tenant_services.tenant_gstin_certificate_upload(
            tenant=shop, actor=owner, upload=_specimen_certificate(shop)
        )
        return tenant_services.tenant_gstin_verify(tenant=shop, actor=superadmin)

    def _user(self, email: str, name: str) -> User:
        user = User.objects.filter(email=email).first()
        return user or User.objects.create_user(email, DEMO_PASSWORD, full_name=name)

    def _stock(self, shop: Tenant, owner: User) -> None:
        """A shop's worth of stock: rates for the past week, hallmarked and pending articles, batches."""
        rng = random.Random(2026)  # noqa: S311 - repeatable demo figures, not secrets
        today = timezone.localdate()
        purities = {(p.metal, p.fineness): p for p in Purity.objects.all()}
        base = {("gold", 999): 7300, ("gold", 916): 6690, ("gold", 750): 5475, ("silver", 925): 88}
        for days_ago in range(7, 0, -1):  # up to yesterday: today's rates are left for the shop to enter
            for key, rate in base.items():
                inventory_services.metal_rate_set(
                    tenant=shop, actor=owner, purity=purities[key],
                    rate_per_gram=rate + rng.randint(-40, 40) * (1 if key[0] == "gold" else 0),
                    effective_on=today - timedelta(days=days_ago),
                )  # fmt: skip
        designs = [
            ("Temple necklace", "necklace", 916, (28, 60), (0, 3)),
            ("Lakshmi coin pendant", "pendant", 916, (4, 9), (0, 0)),
            ("Kada bangle", "bangle", 916, (18, 34), (0, 0)),
            ("Solitaire ring", "ring", 750, (3, 6), (0.2, 0.6)),
            ("Jhumka earrings", "earring", 916, (6, 14), (0, 1.5)),
            ("Rope chain", "chain", 916, (10, 25), (0, 0)),
            ("Nose pin", "other", 916, (0.4, 1.6), (0, 0.1)),
            ("Silver anklet pair", "other", ("silver", 925), (40, 90), (0, 0)),
        ]
        items = []
        for n in range(36):
            name, category, fineness, (lo, hi), (slo, shi) = designs[n % len(designs)]
            key = fineness if isinstance(fineness, tuple) else ("gold", fineness)
            gross = round(rng.uniform(lo, hi), 3)
            values = {
                "sku": f"LJ-{1001 + n}", "name": name, "category": category, "purity": purities[key],
                "gross_weight": str(gross), "stone_weight": str(round(rng.uniform(slo, shi), 3)),
                "making_charge_type": "percent" if category == "necklace" else "per_gram",
                "making_charge_value": "12" if category == "necklace" else str(rng.choice([350, 450, 550])),
            }  # fmt: skip
            if key[0] == "gold" and gross >= 2 and n % 3 != 2:
                values.update(huid=f"{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randint(10000, 99999)}",
                              ready_for_sale=True)  # fmt: skip
            elif key[0] == "gold" and gross < 2:
                values.update(hallmark_status="exempt", exemption="under_2g", ready_for_sale=True)
            items.append(inventory_services.stock_item_create(tenant=shop, actor=owner, **values))
        inventory_services.stock_item_create(
            tenant=shop, actor=owner, sku="LJ-2001", name="Kundan choker", category="necklace",
            purity=purities[("gold", 916)], gross_weight="46.250", stone_weight="9.800",
            hallmark_status="exempt", exemption="kundan_polki_jadau", ready_for_sale=True,
        )  # fmt: skip
        pending = [i for i in items if i.hallmark_status == StockItem.HallmarkStatus.PENDING and not i.huid]
        inventory_services.hallmark_batch_send(
            tenant=shop, actor=owner, centre_name="Zaveri Bazaar AHC", request_number="AHC-2026-0412",
            sent_on=today - timedelta(days=4), item_ids=[i.pk for i in pending[:4]],
        )  # fmt: skip

    def _sales(self, shop: Tenant, staff: User) -> None:
        """Customers and a repair bill paid by UPI; article sales wait for today's rates, as at a real counter."""
        meera = invoicing_services.customer_create(
            tenant=shop, actor=staff, name="Meera Shah", phone="98200 12345", address="4 Hill Road, Bandra, Mumbai",
            pincode="400050", state_code="27",
        )  # fmt: skip
        invoicing_services.customer_create(
            tenant=shop, actor=staff, kind=Customer.Kind.REGISTERED, name="Ratna Gems Private Limited",
            trade_name="Ratna Gems", gstin="29AAACR5055K1Z3", address="21 MG Road, Bengaluru", pincode="560001",
        )  # fmt: skip
        repair = invoicing_services.invoice_draft_create(tenant=shop, actor=staff, customer=meera)
        invoicing_services.invoice_line_add_free(
            tenant=shop, actor=staff, invoice=repair, description="Chain repair and polish", hsn_code="998713",
            amount="850",
        )  # fmt: skip
        repair = invoicing_services.invoice_issue(tenant=shop, actor=staff, invoice=repair)
        invoicing_services.payment_record(
            tenant=shop,
            actor=staff,
            invoice=repair,
            mode="upi",
            amount=repair.grand_total,
            reference="UPI 4521",
        )


def _specimen_certificate(shop: Tenant) -> SimpleUploadedFile:
    """A PNG that looks enough like Form GST REG-06 to show the review page, marked as a specimen."""
    image = Image.new("RGB", (900, 560), "white")
    draw = ImageDraw.Draw(image)
    lines = [
        "SPECIMEN - demo data, not a real certificate",
        "",
        "Government of India - Form GST REG-06",
        "Registration Certificate",
        "",
        f"Registration Number (GSTIN): {shop.gstin}",
        f"Legal Name: {shop.name}",
        f"Address of Principal Place of Business: {shop.address}",
        "Constitution of Business: Partnership",
        "Type of Registration: Regular",
    ]
    draw.rectangle([10, 10, 889, 549], outline="black", width=3)
    for n, text in enumerate(lines):
        draw.text((40, 40 + n * 44), text, fill="black", font_size=22)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("gst-reg-06-specimen.png", buffer.getvalue(), content_type="image/png")
