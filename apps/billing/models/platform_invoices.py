"""Tijori's own GST invoices and credit notes for the AMC payments."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.billing.models.contracts import RUPEES
from apps.billing.models.payments import BillingPayment, BillingRecordImmutable, KeptQuerySet
from apps.core.models import TenantOwned, TimeStampedModel
from apps.gst.states import STATE_CHOICES
from apps.invoicing.models import invoices_storage


class PlatformDocumentKind(models.TextChoices):
    INVOICE = "invoice", "Tax invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class PlatformSeries(TimeStampedModel):
    """The platform's own gapless numbering: one counter per document kind and financial year.

    Platform data, not tenant-owned: the platform issues one series to every shop. The issuing
    transaction locks the row, takes `next_number` and moves it on, so a rolled-back issue gives its number
    back (the rule of `apps.invoicing.services.series`, whose rendering and GST number check it reuses).
    """

    doc_type = models.CharField(max_length=16, choices=PlatformDocumentKind.choices)
    fy_start_year = models.PositiveSmallIntegerField(help_text="2026 for the financial year 2026-27.")
    code = models.CharField(max_length=8, help_text="The series' short name, e.g. TJ.")
    number_format = models.CharField(max_length=32, help_text="{CODE}/{FY}/{NNNNN}: TJ/26-27/00001.")
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-fy_start_year", "doc_type"]
        verbose_name_plural = "platform series"
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "fy_start_year"], name="platform_series_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.fy_start_year} ({self.get_doc_type_display()})"


class PlatformInvoiceQuerySet(KeptQuerySet):
    forgettable = frozenset({"issued_by", "issued_by_id"})


class PlatformInvoice(TenantOwned):
    """The platform's own GST invoice to a workspace for its AMC, or the credit note that reverses one.

    Why a model of its own and not `invoicing.Invoice`: an `Invoice` is a shop's sale, owned by the selling
    shop (its series, its GSTIN, its returns, its row-level security). Here the platform sells and the shop
    buys, so the row belongs to the buying shop (it reads and downloads its own invoices, and no other
    shop's) while the seller is the platform (its details copied in from settings at issue), numbered in
    the platform's own `PlatformSeries`. Shared with invoicing: the number's rendering and GST check, the
    tax math of `apps.gst`, the retention day, the PDF renderer and the `invoices` storage with its lock.

    Issued when a payment is confirmed, frozen from then on (the ORM refuses changes and deletes; on
    PostgreSQL a trigger too, migration 0006). A refund or a void is a credit note in the platform's
    credit-note series naming its invoice, never a deletion.
    """

    Kind = PlatformDocumentKind

    doc_type = models.CharField("document", max_length=16, choices=Kind.choices, default=Kind.INVOICE)
    payment = models.ForeignKey(BillingPayment, on_delete=models.PROTECT, related_name="documents")
    original = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes",
        help_text="The invoice a credit note reverses.",
    )  # fmt: skip
    reason = models.CharField(max_length=300, blank=True, help_text="Why a credit note reverses its invoice.")
    series = models.ForeignKey(PlatformSeries, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=16)
    issued_on = models.DateField()
    seller_name = models.CharField(max_length=120)
    seller_gstin = models.CharField("seller GSTIN", max_length=15)
    seller_state_code = models.CharField(max_length=2)
    seller_address = models.TextField()
    buyer_name = models.CharField(max_length=120)
    buyer_gstin = models.CharField("buyer GSTIN", max_length=15, blank=True)
    buyer_state_code = models.CharField(max_length=2)
    buyer_address = models.TextField(blank=True)
    place_of_supply = models.CharField(max_length=2, choices=STATE_CHOICES)
    description = models.CharField(max_length=200)
    sac = models.CharField("SAC", max_length=8)
    gst_rate = models.DecimalField("GST rate (%)", max_digits=5, decimal_places=2)
    taxable_value = models.DecimalField(**RUPEES)
    cgst = models.DecimalField("CGST", **RUPEES, default=Decimal("0.00"))
    sgst = models.DecimalField("SGST", **RUPEES, default=Decimal("0.00"))
    igst = models.DecimalField("IGST", **RUPEES, default=Decimal("0.00"))
    total = models.DecimalField(**RUPEES)
    amount_in_words = models.CharField(max_length=250)
    retain_until = models.DateField(help_text="Kept at least until this day (CGST s.36).")
    pdf = models.FileField(storage=invoices_storage, max_length=200, blank=True, editable=False)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PlatformInvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="platform_invoice_number_unique"),
            # One invoice per payment, and at most one credit note reversing it.
            models.UniqueConstraint(
                fields=["payment"], condition=Q(doc_type="invoice"), name="platform_invoice_one_per_payment"
            ),
            models.UniqueConstraint(
                fields=["original"],
                condition=Q(original__isnull=False),
                name="platform_credit_note_one_per_invoice",
            ),
            models.CheckConstraint(
                condition=Q(doc_type="invoice", original__isnull=True, reason="")
                | Q(doc_type="credit_note", original__isnull=False, reason__gt=""),
                name="platform_credit_note_names_invoice",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "-issued_on", "-id"], name="platform_invoice_tenant_day")]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        # Once issued only the PDF is recorded, once (`platform_invoice_pdf_store`).
        fields = kwargs.get("update_fields")
        pdf_only = fields is not None and set(fields) <= {"pdf", "pdf_sha256", "updated_at"}
        if self.pk is not None and not kwargs.get("force_insert") and not pdf_only:
            raise BillingRecordImmutable(f"{self.number} is issued: it cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise BillingRecordImmutable(
            f"{self.number} is kept until {self.retain_until}: it cannot be deleted."
        )

    @property
    def is_credit_note(self) -> bool:
        return self.doc_type == self.Kind.CREDIT_NOTE

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst
