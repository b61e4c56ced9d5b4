"""A rate row may be a concession for GST-registered recipients only; job work (SAC 9988) is one.

Job work on chapter 71 goods is taxed at 5% only for a registered principal (Notification
11/2017-CT(Rate) item 26(i)(c)); for anyone else it is a manufacturing service on goods they own,
at 18% (item 26(iv)).
"""

from datetime import date
from decimal import Decimal

import django.core.validators
from django.db import migrations, models

START = date(2017, 7, 1)


def seed(apps, schema_editor):
    GstRate = apps.get_model("gst", "GstRate")
    using = schema_editor.connection.alias if schema_editor is not None else "default"
    GstRate.objects.using(using).filter(code="9988", effective_from=START).update(
        unregistered_rate=Decimal("18")
    )


class Migration(migrations.Migration):
    dependencies = [("gst", "0002_seed_rates")]

    operations = [
        migrations.AddField(
            model_name="gstrate",
            name="unregistered_rate",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Set when `rate` is a concession for GST-registered recipients only, as job work for "
                "a registered principal is (a buyer without a GSTIN is billed this rate instead); empty when "
                "every buyer pays the same rate.",
                max_digits=5,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("28")),
                ],
                verbose_name="rate for a buyer without a GSTIN (%)",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
