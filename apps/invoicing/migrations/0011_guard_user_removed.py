"""The frozen-invoice guard (0006) lets `created_by_id` and `issued_by_id` become NULL, as they do when
the person is removed (SET NULL), but appended the column names with `text[] || 'name'`, which
PostgreSQL reads as two arrays and refuses ("malformed array literal"): removing a user who had issued
an invoice failed. The same function, appending with array_append."""

import importlib
import re

from django.db import migrations

PREVIOUS = importlib.import_module("apps.invoicing.migrations.0006_pdf_recorded_once").CREATE
CREATE = re.sub(r"excluded := excluded \|\| '(\w+)';", r"excluded := array_append(excluded, '\1');", PREVIOUS)
assert CREATE.count("array_append") == 2


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # no parameters: the % of format() stays
            cursor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0010_einvoice_guards")]

    operations = [migrations.RunPython(forwards, backwards)]
