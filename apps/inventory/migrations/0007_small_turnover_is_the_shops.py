"""The small-turnover exemption becomes the shop's, and light gold records its reason.

A shop with any article marked exempt for small turnover gets the shop setting on
(`Tenant.small_turnover_exempt`); those articles go back to pending, which in such a shop needs no HUID.
Then every gold article under 2 g left pending without a HUID is recorded as exempt, under 2 grams, as
saving it now does. Going back puts the articles of exempt shops back under the per-article reason.
"""

from decimal import Decimal

from django.db import migrations, models

UNDER_2G = Decimal("2.000")


def forwards(apps, schema_editor):
    StockItem = apps.get_model("inventory", "StockItem")
    Tenant = apps.get_model("tenants", "Tenant")
    using = schema_editor.connection.alias  # the owner role's connection, when one is configured
    small = StockItem.objects.using(using).filter(hallmark_status="exempt", exemption="small_turnover")
    Tenant.objects.using(using).filter(pk__in=small.values("tenant_id")).update(small_turnover_exempt=True)
    small.update(hallmark_status="pending", exemption="")
    StockItem.objects.using(using).filter(
        purity__metal="gold", gross_weight__lt=UNDER_2G, hallmark_status="pending", huid=""
    ).update(hallmark_status="exempt", exemption="under_2g")


def backwards(apps, schema_editor):
    StockItem = apps.get_model("inventory", "StockItem")
    using = schema_editor.connection.alias
    StockItem.objects.using(using).filter(
        tenant__small_turnover_exempt=True, hallmark_status="pending", huid=""
    ).update(hallmark_status="exempt", exemption="small_turnover")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0006_stockimport_changes"),
        ("tenants", "0007_shop_stock_settings"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="stockitem",
            name="exemption",
            field=models.CharField(
                blank=True,
                choices=[
                    ("under_2g", "Under 2 grams"),
                    ("kundan_polki_jadau", "Kundan, polki or jadau work"),
                ],
                max_length=24,
            ),
        ),
    ]
