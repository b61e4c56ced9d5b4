"""Credit and debit notes are invoices that name their original; receipt vouchers record advances."""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0006_pdf_recorded_once"),
        ("tenants", "0005_tenant_gstin_validator"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReceiptVoucher",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("number", models.CharField(max_length=16)),
                ("received_on", models.DateField()),
                (
                    "mode",
                    models.CharField(
                        choices=[
                            ("cash", "Cash"),
                            ("upi", "UPI"),
                            ("card", "Card"),
                            ("bank", "Bank transfer"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=14,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        blank=True, help_text="UPI or bank reference, last digits of a card.", max_length=60
                    ),
                ),
                (
                    "description",
                    models.CharField(
                        help_text="What the advance is for, e.g. a bridal set to order.", max_length=200
                    ),
                ),
                ("retain_until", models.DateField()),
            ],
            options={
                "ordering": ["-received_on", "-id"],
            },
        ),
        migrations.AddField(
            model_name="invoice",
            name="doc_type",
            field=models.CharField(
                choices=[
                    ("invoice", "Tax invoice"),
                    ("credit_note", "Credit note"),
                    ("debit_note", "Debit note"),
                ],
                default="invoice",
                max_length=24,
                verbose_name="document",
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="note_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("sales_return", "Goods returned"),
                    ("price_reduction", "Price or value too high (discount after sale)"),
                    ("deficiency", "Deficient supply"),
                    ("price_increase", "Price or value too low"),
                    ("correction", "Correction of the invoice"),
                ],
                max_length=24,
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="original",
            field=models.ForeignKey(
                blank=True,
                help_text="The issued invoice a credit or debit note corrects.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="notes",
                to="invoicing.invoice",
            ),
        ),
        migrations.AddField(
            model_name="invoiceline",
            name="original_line",
            field=models.ForeignKey(
                blank=True,
                help_text="On a note: the line of the original invoice it returns or re-prices.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="invoicing.invoiceline",
            ),
        ),
        migrations.AlterField(
            model_name="payment",
            name="mode",
            field=models.CharField(
                choices=[
                    ("cash", "Cash"),
                    ("upi", "UPI"),
                    ("card", "Card"),
                    ("bank", "Bank transfer"),
                    ("old_gold", "Old gold"),
                    ("advance", "Advance (receipt voucher)"),
                ],
                max_length=12,
            ),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["tenant", "doc_type", "-created_at"], name="invoice_tenant_kind_time"),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("doc_type", "invoice"), ("note_reason", ""), ("original__isnull", True)),
                    models.Q(
                        ("doc_type__in", ["credit_note", "debit_note"]),
                        ("note_reason__gt", ""),
                        ("original__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="invoice_note_names_original",
            ),
        ),
        migrations.AddField(
            model_name="receiptvoucher",
            name="created_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="receiptvoucher",
            name="customer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="receipt_vouchers",
                to="invoicing.customer",
            ),
        ),
        migrations.AddField(
            model_name="receiptvoucher",
            name="series",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="invoicing.documentseries"
            ),
        ),
        migrations.AddField(
            model_name="receiptvoucher",
            name="tenant",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="tenants.tenant"
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="receipt_voucher",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="adjustments",
                to="invoicing.receiptvoucher",
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("mode", "advance"), ("receipt_voucher__isnull", False)),
                    models.Q(models.Q(("mode", "advance"), _negated=True), ("receipt_voucher__isnull", True)),
                    _connector="OR",
                ),
                name="payment_receipt_iff_advance",
            ),
        ),
        migrations.AddIndex(
            model_name="receiptvoucher",
            index=models.Index(fields=["tenant", "customer", "-received_on"], name="receipt_tenant_customer"),
        ),
        migrations.AddConstraint(
            model_name="receiptvoucher",
            constraint=models.UniqueConstraint(
                fields=("tenant", "series", "number"), name="receipt_number_unique_per_series"
            ),
        ),
    ]
