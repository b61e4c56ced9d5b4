"""Receipt vouchers are records of money received, kept like payments and old-gold vouchers (0004):
unchanged until their retention day (only a deleted user's id may be cleared), no TRUNCATE."""

from django.db import migrations

CREATE = r"""
DROP TRIGGER IF EXISTS invoicing_receipt_voucher_frozen ON invoicing_receiptvoucher;
CREATE TRIGGER invoicing_receipt_voucher_frozen BEFORE UPDATE OR DELETE ON invoicing_receiptvoucher
  FOR EACH ROW EXECUTE FUNCTION invoicing_receipt_guard();
DROP TRIGGER IF EXISTS invoicing_receipt_voucher_no_truncate ON invoicing_receiptvoucher;
CREATE TRIGGER invoicing_receipt_voucher_no_truncate BEFORE TRUNCATE ON invoicing_receiptvoucher
  FOR EACH STATEMENT EXECUTE FUNCTION invoicing_refuse_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS invoicing_receipt_voucher_frozen ON invoicing_receiptvoucher;
DROP TRIGGER IF EXISTS invoicing_receipt_voucher_no_truncate ON invoicing_receiptvoucher;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0007_notes_and_receipt_vouchers")]

    operations = [migrations.RunPython(forwards, backwards)]
