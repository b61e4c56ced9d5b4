"""A stock import counts the rows that add, change or leave alone an article, and keeps what the check showed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0005_hsn_code_validator"),
    ]

    operations = [
        migrations.AddField(
            model_name="stockimport",
            name="changes",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="stockimport",
            name="rows_changed",
            field=models.PositiveIntegerField(
                default=0, help_text="Rows without errors that change an article of the stock."
            ),
        ),
        migrations.AddField(
            model_name="stockimport",
            name="rows_new",
            field=models.PositiveIntegerField(
                default=0, help_text="Rows without errors that add an article."
            ),
        ),
        migrations.AddField(
            model_name="stockimport",
            name="rows_unchanged",
            field=models.PositiveIntegerField(
                default=0, help_text="Rows the same as their article in stock: nothing to write."
            ),
        ),
        migrations.AddField(
            model_name="stockimport",
            name="versions",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="stockimport",
            name="rows_imported",
            field=models.PositiveIntegerField(
                default=0, help_text="Rows written: articles added or changed."
            ),
        ),
    ]
