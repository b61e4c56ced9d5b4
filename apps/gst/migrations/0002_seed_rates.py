"""The rates in force on a new installation; super admins add rows in admin when the Council changes one.

From 1 July 2017 (the start of GST), unchanged by the rate changes of 22 September 2025:
chapter 71 goods at 3% (7101 pearls, 7106 silver, 7108 gold, 7113 jewellery, 7114 goldsmiths'
wares, 7117 imitation jewellery, 7118 coins), cut and uncut diamonds and precious stones at 0.25%
(7102-7104), job work on chapter 71 goods for a registered principal at 5% (SAC 9988, Notification
11/2017-CT(Rate) item 26(i)(c)), repair and maintenance services at 18% (SAC 9987).
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

START = date(2017, 7, 1)
RATES = [
    ("7101", "3", "Pearls"),
    ("7102", "0.25", "Diamonds"),
    ("7103", "0.25", "Precious and semi-precious stones"),
    ("7104", "0.25", "Synthetic or reconstructed stones"),
    ("7106", "3", "Silver"),
    ("7108", "3", "Gold, unwrought or semi-manufactured"),
    ("7113", "3", "Articles of jewellery of precious metal"),
    ("7114", "3", "Articles of goldsmiths' or silversmiths' wares"),
    ("7117", "3", "Imitation jewellery"),
    ("7118", "3", "Coins"),
    ("9988", "5", "Job work on jewellery for a GST-registered principal"),
    ("9987", "18", "Repair and maintenance services (jewellery repair)"),
]


def seed(apps, schema_editor):
    GstRate = apps.get_model("gst", "GstRate")
    using = schema_editor.connection.alias if schema_editor is not None else "default"
    for code, rate, description in RATES:
        GstRate.objects.using(using).get_or_create(
            code=code, effective_from=START, defaults={"rate": Decimal(rate), "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("gst", "0001_gst_rates")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
