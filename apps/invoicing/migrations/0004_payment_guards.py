"""Payments and old-gold vouchers are records of money and metal received: once written, the database
keeps them unchanged until their retention day (only a deleted user's id may be cleared), and refuses
TRUNCATE, as for invoices (0002)."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION invoicing_receipt_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.retain_until < current_date THEN
      RETURN OLD;
    END IF;
    PERFORM invoicing_refuse(format('%s %s is kept until %s: it cannot be deleted', TG_TABLE_NAME, OLD.id, OLD.retain_until));
  END IF;
  IF NEW.created_by_id IS NULL
     AND (to_jsonb(NEW) - ARRAY['created_by_id', 'updated_at']) = (to_jsonb(OLD) - ARRAY['created_by_id', 'updated_at']) THEN
    RETURN NEW;
  END IF;
  PERFORM invoicing_refuse(format('%s %s cannot be changed', TG_TABLE_NAME, OLD.id));
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS invoicing_payment_frozen ON invoicing_payment;
CREATE TRIGGER invoicing_payment_frozen BEFORE UPDATE OR DELETE ON invoicing_payment
  FOR EACH ROW EXECUTE FUNCTION invoicing_receipt_guard();
DROP TRIGGER IF EXISTS invoicing_oldgold_frozen ON invoicing_oldgoldvoucher;
CREATE TRIGGER invoicing_oldgold_frozen BEFORE UPDATE OR DELETE ON invoicing_oldgoldvoucher
  FOR EACH ROW EXECUTE FUNCTION invoicing_receipt_guard();
DROP TRIGGER IF EXISTS invoicing_payment_no_truncate ON invoicing_payment;
CREATE TRIGGER invoicing_payment_no_truncate BEFORE TRUNCATE ON invoicing_payment
  FOR EACH STATEMENT EXECUTE FUNCTION invoicing_refuse_truncate();
DROP TRIGGER IF EXISTS invoicing_oldgold_no_truncate ON invoicing_oldgoldvoucher;
CREATE TRIGGER invoicing_oldgold_no_truncate BEFORE TRUNCATE ON invoicing_oldgoldvoucher
  FOR EACH STATEMENT EXECUTE FUNCTION invoicing_refuse_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS invoicing_payment_frozen ON invoicing_payment;
DROP TRIGGER IF EXISTS invoicing_oldgold_frozen ON invoicing_oldgoldvoucher;
DROP TRIGGER IF EXISTS invoicing_payment_no_truncate ON invoicing_payment;
DROP TRIGGER IF EXISTS invoicing_oldgold_no_truncate ON invoicing_oldgoldvoucher;
DROP FUNCTION IF EXISTS invoicing_receipt_guard();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # no parameters: the % of format() stays
            cursor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0003_payments_old_gold")]

    operations = [migrations.RunPython(forwards, backwards)]
