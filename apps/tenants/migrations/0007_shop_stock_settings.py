"""Shop settings for stock: SKU numbering (existing shops get TJ-, next number 1, 4 digits) and the small-turnover exemption (off)."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0006_gstin_verification"),
    ]

    operations = [
        migrations.AddField(
            model_name="tenant",
            name="sku_digits",
            field=models.PositiveSmallIntegerField(
                default=4,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(8),
                ],
                verbose_name="SKU number digits",
            ),
        ),
        migrations.AddField(
            model_name="tenant",
            name="sku_next_number",
            field=models.PositiveIntegerField(
                default=1,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(999999999),
                ],
                verbose_name="next SKU number",
            ),
        ),
        migrations.AddField(
            model_name="tenant",
            name="sku_prefix",
            field=models.CharField(
                blank=True,
                default="TJ-",
                max_length=12,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Za-z0-9/_.-]*$",
                        code="sku_prefix",
                        message="A SKU prefix is letters, digits and - / . _ only, without spaces, like LJ-.",
                    )
                ],
                verbose_name="SKU prefix",
            ),
        ),
        migrations.AddField(
            model_name="tenant",
            name="small_turnover_exempt",
            field=models.BooleanField(
                default=False, verbose_name="turnover up to ₹40 lakh (exempt from mandatory hallmarking)"
            ),
        ),
    ]
