"""The rate of the platform's own supply: its AMC, SAC 998313 (information technology consulting and
support services), 18% since GST began. A rate-table row like any other (apps.gst), added here because
billing is what charges it; super admins change it in admin, and `PLATFORM_SAC` names the code to use."""

from datetime import date
from decimal import Decimal

from django.db import migrations

START = date(2017, 7, 1)
CODE, RATE, DESCRIPTION = "998313", Decimal("18"), "IT consulting and support services (Tijori's AMC)"


def seed(apps, schema_editor):
    GstRate = apps.get_model("gst", "GstRate")
    using = schema_editor.connection.alias if schema_editor is not None else "default"
    GstRate.objects.using(using).get_or_create(
        code=CODE, effective_from=START, defaults={"rate": RATE, "description": DESCRIPTION}
    )


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_payments_and_platform_invoices"), ("gst", "0003_unregistered_rate")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
