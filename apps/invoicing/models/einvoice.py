"""A document's registration on the e-invoice portal (IRP): its IRN, acknowledgement and signed QR code."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.models import TenantOwned
from apps.invoicing.models.documents import Invoice, invoices_storage


class EInvoice(TenantOwned):
    """The IRP's answer for one B2B invoice or note, imported from its answer file or its API.

    The issued document itself never changes: the IRN, the acknowledgement and the signed QR code live
    here, kept as long as the document, and the copy printed with the QR code is a PDF of its own. The
    IRN is SHA-256 of (GSTIN, document type, number, financial year), so a number whose IRN was
    cancelled can never be registered again: a cancelled row stays, burning the number.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Registered"
        CANCELLED = "cancelled", "IRN cancelled"

    document = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="einvoice")
    irn = models.CharField("IRN", max_length=64)
    ack_no = models.CharField("acknowledgement number", max_length=20)
    ack_at = models.DateTimeField("acknowledged at")
    signed_qr = models.TextField("signed QR code", help_text="The IRP's signed JWT, printed as a QR code.")
    signed_invoice = models.TextField(blank=True, help_text="The IRP's signed document (JWT), when given.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=100, blank=True)
    pdf = models.FileField(storage=invoices_storage, max_length=200, blank=True, editable=False)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True, editable=False)
    retain_until = models.DateField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "e-invoice"
        ordering = ["-ack_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "irn"], name="einvoice_irn_unique_per_tenant"),
        ]

    def __str__(self) -> str:
        return self.irn
