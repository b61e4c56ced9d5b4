"""Stock with BIS hallmark HUIDs, purities, hallmarking batches, daily metal rates and CSV imports."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.files import tenant_upload_path
from apps.core.models import TenantOwned, TimeStampedModel
from apps.gst.validators import hsn_validate

GRAMS = {"max_digits": 10, "decimal_places": 3}
RUPEES = {"max_digits": 14, "decimal_places": 2}

huid_validator = RegexValidator(
    r"^[A-Z0-9]{6}$",
    message="A HUID is exactly 6 letters or digits (A-Z, 0-9), as printed on the hallmark.",
    code="huid_format",
)


class Metal(models.TextChoices):
    GOLD = "gold", "Gold"
    SILVER = "silver", "Silver"
    PLATINUM = "platinum", "Platinum"


class Purity(TimeStampedModel):
    """A purity grade (platform-wide table, edited by super admins): gold 22K is fineness 916."""

    metal = models.CharField(max_length=16, choices=Metal.choices)
    karat = models.CharField(max_length=8, blank=True, help_text="For gold, e.g. 22K; empty otherwise.")
    fineness = models.PositiveSmallIntegerField(help_text="Parts per thousand, e.g. 916.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["metal", "-fineness"]
        verbose_name_plural = "purities"
        constraints = [
            models.UniqueConstraint(fields=["metal", "fineness"], name="purity_unique_metal_fineness"),
            models.CheckConstraint(
                condition=Q(fineness__gte=1, fineness__lte=999), name="purity_fineness_range"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """What shops see: "22K916" for gold, "Silver 925" otherwise."""
        if self.karat:
            return f"{self.karat}{self.fineness}"
        return f"{self.get_metal_display()} {self.fineness}"


class StockItem(TenantOwned):
    """One article in a shop's stock."""

    class Category(models.TextChoices):
        RING = "ring", "Ring"
        CHAIN = "chain", "Chain"
        NECKLACE = "necklace", "Necklace"
        BANGLE = "bangle", "Bangle"
        EARRING = "earring", "Earring"
        PENDANT = "pendant", "Pendant"
        COIN = "coin", "Coin"
        BAR = "bar", "Bar"
        OTHER = "other", "Other"

    class MakingChargeType(models.TextChoices):
        PER_GRAM = "per_gram", "Per gram"
        FLAT = "flat", "Flat"
        PERCENT = "percent", "Percent of metal value"

    class HallmarkStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        AT_CENTRE = "at_centre", "At hallmarking centre"
        HALLMARKED = "hallmarked", "Hallmarked"
        EXEMPT = "exempt", "Exempt"

    class Exemption(models.TextChoices):
        """Reasons an article itself is exempt. A small shop's exemption is the shop's
        (`Tenant.small_turnover_exempt`), not an article's."""

        UNDER_2G = "under_2g", "Under 2 grams"
        KUNDAN_POLKI_JADAU = "kundan_polki_jadau", "Kundan, polki or jadau work"

    class StockStatus(models.TextChoices):
        IN_STOCK = "in_stock", "In stock"
        RESERVED = "reserved", "Reserved"
        SOLD = "sold", "Sold"
        RETURNED = "returned", "Returned"

    sku = models.CharField("SKU", max_length=40)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.OTHER)
    purity = models.ForeignKey(Purity, on_delete=models.PROTECT, related_name="+")
    gross_weight = models.DecimalField(
        "gross weight (g)", **GRAMS, validators=[MinValueValidator(Decimal("0.001"))]
    )
    stone_weight = models.DecimalField(
        "stone weight (g)", **GRAMS, default=Decimal("0.000"), validators=[MinValueValidator(Decimal("0"))]
    )
    net_weight = models.DecimalField("net weight (g)", **GRAMS, editable=False)
    making_charge_type = models.CharField(
        max_length=16, choices=MakingChargeType.choices, default=MakingChargeType.PER_GRAM
    )
    making_charge_value = models.DecimalField(
        **RUPEES, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    stone_value = models.DecimalField(
        **RUPEES, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    hsn_code = models.CharField("HSN", max_length=8, validators=[hsn_validate])
    huid = models.CharField("HUID", max_length=6, blank=True, validators=[huid_validator])
    hallmark_status = models.CharField(
        max_length=16, choices=HallmarkStatus.choices, default=HallmarkStatus.PENDING
    )
    exemption = models.CharField(max_length=24, choices=Exemption.choices, blank=True)
    ready_for_sale = models.BooleanField(default=False)
    hallmark_batch = models.ForeignKey(
        "HallmarkBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        help_text="The batch the article was last sent to the hallmarking centre with.",
    )
    stock_status = models.CharField(max_length=16, choices=StockStatus.choices, default=StockStatus.IN_STOCK)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "sku"], name="stockitem_sku_unique_per_tenant"),
            models.UniqueConstraint(
                fields=["tenant", "huid"], condition=~Q(huid=""), name="stockitem_huid_unique_per_tenant"
            ),
            models.CheckConstraint(condition=Q(net_weight__gte=0), name="stockitem_net_weight_not_negative"),
            models.CheckConstraint(
                condition=Q(hallmark_status="exempt", exemption__gt="")
                | (~Q(hallmark_status="exempt") & Q(exemption="")),
                name="stockitem_exemption_iff_exempt",
            ),
        ]
        indexes = [
            # The stock list pages newest first, whole or filtered by status, and sorted by weight or
            # name (either way: the selector breaks ties by id in the sort's direction): straight off an
            # index, in the order asked, however many articles the shop holds. The status indexes also
            # carry what the page's count and valuation read (purity, weight, the other status), so
            # PostgreSQL answers those from the index alone, without visiting the table's rows.
            models.Index(fields=["tenant", "-created_at", "-id"], name="stock_tenant_time"),
            models.Index(
                fields=["tenant", "stock_status", "-created_at", "-id"],
                include=["purity", "net_weight", "hallmark_status"],
                name="stock_tenant_status_time",
            ),
            models.Index(
                fields=["tenant", "hallmark_status", "-created_at", "-id"],
                include=["purity", "net_weight", "stock_status"],
                name="stock_tenant_hallmark_at",
            ),
            models.Index(fields=["tenant", "net_weight", "id"], name="stock_tenant_weight"),
            models.Index(fields=["tenant", "name", "id"], name="stock_tenant_name"),
            models.Index(fields=["tenant", "purity"], name="stock_tenant_purity"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class MetalRate(TenantOwned):
    """The shop's rate per gram for one purity on one day (IST). History is kept; the latest values stock."""

    purity = models.ForeignKey(Purity, on_delete=models.PROTECT, related_name="+")
    rate_per_gram = models.DecimalField(**RUPEES, validators=[MinValueValidator(Decimal("0.01"))])
    effective_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-effective_on", "purity_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "purity", "effective_on"], name="metalrate_one_per_purity_per_day"
            )
        ]
        indexes = [models.Index(fields=["tenant", "purity", "-effective_on"], name="metalrate_latest")]

    def __str__(self) -> str:
        return f"{self.purity_id} {self.effective_on}: {self.rate_per_gram}"


class HallmarkBatch(TenantOwned):
    """Articles sent together to an Assaying and Hallmarking Centre (AHC), and received back."""

    class Status(models.TextChoices):
        SENT = "sent", "At the centre"
        RECEIVED = "received", "Received back"

    centre_name = models.CharField(max_length=120)
    request_number = models.CharField(max_length=60)
    sent_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name_plural = "hallmark batches"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "request_number"], name="batch_request_unique_per_tenant"
            )
        ]
        indexes = [models.Index(fields=["tenant", "status", "-sent_on"], name="batch_tenant_status")]

    def __str__(self) -> str:
        return f"{self.request_number} ({self.centre_name})"

    @property
    def days_away(self) -> int:
        """Days the articles spent at the centre: until they came back, or until today."""
        return ((self.received_on or timezone.localdate()) - self.sent_on).days


def certificates_storage():
    """Certificates live in the private `certificates` storage, read at call time from STORAGES."""
    return storages["certificates"]


def certificate_path(instance: Certificate, filename: str) -> str:
    return tenant_upload_path(folder=instance.kind, tenant_id=instance.tenant_id, filename=filename)


class Certificate(TenantOwned):
    """A certificate file: the shop's BIS registration, a batch's AHC report, or an article's stone report."""

    class Kind(models.TextChoices):
        BIS_REGISTRATION = "bis_registration", "BIS registration certificate"
        AHC_REPORT = "ahc_report", "Hallmarking centre (AHC) report"
        STONE = "stone", "Stone certificate"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    batch = models.ForeignKey(
        HallmarkBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    file = models.FileField(upload_to=certificate_path, storage=certificates_storage, max_length=300)
    stored_name = models.CharField(max_length=80, editable=False)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="bis_registration", batch__isnull=True, item__isnull=True)
                    | Q(kind="ahc_report", batch__isnull=False, item__isnull=True)
                    | Q(kind="stone", batch__isnull=True, item__isnull=False)
                ),
                name="certificate_owner_matches_kind",
            )
        ]
        indexes = [models.Index(fields=["tenant", "kind", "-created_at"], name="certificate_tenant_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


def imports_storage():
    """Uploaded stock files live in the private `default` storage, read at call time from STORAGES."""
    return storages["default"]


def stock_import_path(instance: StockImport, filename: str) -> str:
    return tenant_upload_path(folder="imports", tenant_id=instance.tenant_id, filename=filename)


class StockImport(TenantOwned):
    """A CSV file of stock uploaded by a shop: checked row by row first, imported on request.

    A row adds an article, or changes the article of its SKU, or is the same as that article. The
    check counts each kind and keeps the first changes (`changes`, field by field) to show before
    the run, and when each article the file names was last changed (`versions`, SKU → time) so
    that the run writes nothing the check did not show. `errors` holds the first problems found
    ({"row", "column", "message"}; rows numbered as a spreadsheet shows them, the header being
    row 1; row None for the file as a whole) and `error_count` how many there were in all.
    """

    class Status(models.TextChoices):
        CHECKED = "checked", "Checked"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Could not be read"

    file = models.FileField(upload_to=stock_import_path, storage=imports_storage, max_length=200)
    original_name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CHECKED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_good = models.PositiveIntegerField(default=0, help_text="Rows without any error.")
    rows_new = models.PositiveIntegerField(default=0, help_text="Rows without errors that add an article.")
    rows_changed = models.PositiveIntegerField(
        default=0, help_text="Rows without errors that change an article of the stock."
    )
    rows_unchanged = models.PositiveIntegerField(
        default=0, help_text="Rows the same as their article in stock: nothing to write."
    )
    rows_imported = models.PositiveIntegerField(
        default=0, help_text="Rows written: articles added or changed."
    )
    changes = models.JSONField(default=list, blank=True)
    versions = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    good_rows_only = models.BooleanField(
        default=False, help_text="Imported the rows without errors and left the others out."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="stockimport_tenant_time")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"
