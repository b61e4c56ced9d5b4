"""Document series and GST sales documents: tax invoices and the credit and debit notes correcting them.

An invoice is a draft (no number; edited or discarded freely) until it is issued. Issuing gives it
the next number of its series, settles every line's tax and freezes it: from then on the database
itself refuses to change or delete it (migration 0002) until its retention date, whatever client
connects. A mistake is corrected by a credit or debit note, or by cancelling it on the record.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.core.models import TenantOwned
from apps.gst.states import STATE_CHOICES
from apps.gst.validators import hsn_validate
from apps.invoicing.models.customers import Customer

GRAMS = {"max_digits": 10, "decimal_places": 3}
RUPEES = {"max_digits": 14, "decimal_places": 2}


def invoices_storage():
    return storages["invoices"]


class DocumentType(models.TextChoices):
    INVOICE = "invoice", "Tax invoice"
    CREDIT_NOTE = "credit_note", "Credit note"
    DEBIT_NOTE = "debit_note", "Debit note"
    RECEIPT_VOUCHER = "receipt_voucher", "Receipt voucher"
    PURCHASE_VOUCHER = "purchase_voucher", "Old-gold purchase voucher"


class DocumentSeries(TenantOwned):
    """One numbering series of one document type, for one of the shop's GSTINs and one financial year.

    `next_number` is the counter: the issuing transaction locks this row, takes the number and adds
    one, so a rolled-back issue gives its number back and the series stays gapless (Rule 46(b)).
    """

    doc_type = models.CharField(max_length=24, choices=DocumentType.choices)
    gstin = models.CharField(
        "GSTIN", max_length=15, help_text="The shop's GSTIN the documents are issued under."
    )
    fy_start_year = models.PositiveSmallIntegerField(help_text="2025 for the financial year 2025-26.")
    code = models.CharField(max_length=8, help_text="The series' short name, e.g. LJ.")
    number_format = models.CharField(
        max_length=32,
        help_text="{FY} is the year as 25-26 and {N} the counter, zero-padded to the Ns: LJ/{FY}/{NNNN}.",
    )
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["doc_type", "-fy_start_year", "code"]
        verbose_name_plural = "document series"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "gstin", "fy_start_year", "doc_type", "code"], name="series_unique_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.fy_start_year} ({self.get_doc_type_display()})"


class NoteReason(models.TextChoices):
    """Why a credit or debit note corrects its invoice (CGST s.34)."""

    SALES_RETURN = "sales_return", "Goods returned"
    PRICE_REDUCTION = "price_reduction", "Price or value too high (discount after sale)"
    DEFICIENCY = "deficiency", "Deficient supply"
    PRICE_INCREASE = "price_increase", "Price or value too low"
    CORRECTION = "correction", "Correction of the invoice"


CREDIT_NOTE_REASONS = [
    NoteReason.SALES_RETURN,
    NoteReason.PRICE_REDUCTION,
    NoteReason.DEFICIENCY,
    NoteReason.CORRECTION,
]
DEBIT_NOTE_REASONS = [NoteReason.PRICE_INCREASE, NoteReason.CORRECTION]


class Invoice(TenantOwned):
    """A GST document of a sale: a tax invoice, or a credit or debit note correcting one.

    The three share their life (draft, issued, cancelled), their lines, tax, numbering and retention;
    a note names the invoice it corrects (`original`) and numbers in its own series. The seller's and
    buyer's details are copied in at issue.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"
        CANCELLED = "cancelled", "Cancelled"

    class Kind(models.TextChoices):
        INVOICE = DocumentType.INVOICE.value, DocumentType.INVOICE.label
        CREDIT_NOTE = DocumentType.CREDIT_NOTE.value, DocumentType.CREDIT_NOTE.label
        DEBIT_NOTE = DocumentType.DEBIT_NOTE.value, DocumentType.DEBIT_NOTE.label

    doc_type = models.CharField("document", max_length=24, choices=Kind.choices, default=Kind.INVOICE)
    original = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="notes",
        help_text="The issued invoice a credit or debit note corrects.",
    )  # fmt: skip
    note_reason = models.CharField(max_length=24, choices=NoteReason.choices, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    series_code = models.CharField(max_length=8, help_text="Which of the shop's series numbers it at issue.")
    series = models.ForeignKey(
        DocumentSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    number = models.CharField(max_length=16, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    place_of_supply = models.CharField(
        max_length=2,
        choices=STATE_CHOICES,
        help_text="Where the goods are delivered: the shop's state at the counter.",
    )
    seller_name = models.CharField(max_length=120, blank=True)
    seller_gstin = models.CharField(max_length=15, blank=True)
    seller_state_code = models.CharField(max_length=2, blank=True)
    seller_address = models.TextField(blank=True)
    buyer_name = models.CharField(max_length=120, blank=True)
    buyer_gstin = models.CharField(max_length=15, blank=True)
    buyer_state_code = models.CharField(max_length=2, blank=True)
    buyer_address = models.TextField(blank=True)
    buyer_phone = models.CharField(max_length=20, blank=True)
    buyer_pan = models.CharField(max_length=10, blank=True)
    buyer_form_60 = models.BooleanField(default=False)
    taxable_value = models.DecimalField(**RUPEES, default=Decimal("0.00"))
    cgst = models.DecimalField("CGST", **RUPEES, default=Decimal("0.00"))
    sgst = models.DecimalField("SGST", **RUPEES, default=Decimal("0.00"))
    igst = models.DecimalField("IGST", **RUPEES, default=Decimal("0.00"))
    round_off = models.DecimalField(**RUPEES, default=Decimal("0.00"))
    grand_total = models.DecimalField(**RUPEES, default=Decimal("0.00"))
    amount_in_words = models.CharField(max_length=250, blank=True)
    retain_until = models.DateField(
        null=True, blank=True, help_text="Kept at least until this day (CGST s.36)."
    )
    pdf = models.FileField(storage=invoices_storage, max_length=200, blank=True, editable=False)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "series", "number"],
                condition=~Q(number=""),
                name="invoice_number_unique_per_series",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", number="", retain_until__isnull=True)
                | (
                    ~Q(status="draft")
                    & ~Q(number="")
                    & Q(retain_until__isnull=False, issued_on__isnull=False)
                ),
                name="invoice_number_iff_issued",
            ),
            models.CheckConstraint(
                condition=Q(round_off__gte=Decimal("-99.99"), round_off__lte=Decimal("99.99")),
                name="invoice_round_off_bounded",
            ),
            models.CheckConstraint(
                condition=Q(doc_type="invoice", original__isnull=True, note_reason="")
                | Q(doc_type__in=["credit_note", "debit_note"], original__isnull=False, note_reason__gt=""),
                name="invoice_note_names_original",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at", "-id"], name="invoice_tenant_time"),
            # The invoice list (and each kind of note's) newest first, in the list's own order to the id.
            models.Index(fields=["tenant", "doc_type", "-created_at", "-id"], name="invoice_tenant_kind_at"),
            models.Index(fields=["tenant", "status", "-issued_on"], name="invoice_tenant_status_day"),
            # The sales register's order: a page of a long month read in order, not sorted whole.
            models.Index(
                fields=["tenant", "issued_on", "doc_type", "number", "id"], name="invoice_tenant_register"
            ),
            models.Index(fields=["tenant", "customer", "-created_at"], name="invoice_tenant_customer"),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft {self.pk}"

    @property
    def is_note(self) -> bool:
        return self.doc_type != self.Kind.INVOICE

    @property
    def kind_name(self) -> str:
        """invoice, credit note or debit note: how messages and pages name the document."""
        return "invoice" if self.doc_type == self.Kind.INVOICE else self.get_doc_type_display().lower()


class InvoiceLine(TenantOwned):
    """One line: an article from stock (weights, rate, making) or a free line (a repair, other goods)."""

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article from stock"
        FREE = "free", "Other goods or service"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    stock_item = models.ForeignKey(
        "inventory.StockItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    original_line = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="On a note: the line of the original invoice it returns or re-prices.",
    )  # fmt: skip
    description = models.CharField(max_length=200)
    hsn_code = models.CharField("HSN or SAC", max_length=8, validators=[hsn_validate])
    sku = models.CharField("SKU", max_length=40, blank=True)
    huid = models.CharField("HUID", max_length=6, blank=True)
    purity_label = models.CharField(max_length=16, blank=True)
    gross_weight = models.DecimalField(
        **GRAMS, null=True, blank=True, validators=[MinValueValidator(Decimal("0.001"))]
    )
    stone_weight = models.DecimalField(**GRAMS, null=True, blank=True, validators=[MinValueValidator(0)])
    net_weight = models.DecimalField(**GRAMS, null=True, blank=True)
    rate_per_gram = models.DecimalField(
        **RUPEES, null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))]
    )
    making_charge_type = models.CharField(max_length=16, blank=True, help_text="As the article sets it.")
    making_charge_rate = models.DecimalField(
        **RUPEES,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Rupees a gram, flat rupees or percent, by the type.",
    )
    metal_value = models.DecimalField(**RUPEES, default=Decimal("0.00"))
    making_charge = models.DecimalField(**RUPEES, default=Decimal("0.00"), validators=[MinValueValidator(0)])
    stone_value = models.DecimalField(**RUPEES, default=Decimal("0.00"), validators=[MinValueValidator(0)])
    hallmarking_charge = models.DecimalField(
        **RUPEES, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    amount = models.DecimalField(
        **RUPEES, default=Decimal("0.00"), validators=[MinValueValidator(0)], help_text="A free line's price."
    )
    gst_rate = models.DecimalField(
        "GST rate (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(28)],
    )
    taxable_value = models.DecimalField(**RUPEES, default=Decimal("0.00"))
    cgst = models.DecimalField("CGST", **RUPEES, default=Decimal("0.00"))
    sgst = models.DecimalField("SGST", **RUPEES, default=Decimal("0.00"))
    igst = models.DecimalField("IGST", **RUPEES, default=Decimal("0.00"))

    class Meta:
        ordering = ["invoice_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoiceline_position_unique"),
            models.CheckConstraint(
                condition=Q(kind="article", stock_item__isnull=False)
                | Q(kind="free", stock_item__isnull=True),
                name="invoiceline_article_iff_stock_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"
