"""An e-invoice is kept like its document (0002, 0008): the database refuses to delete it before its
retention day, and lets it change only twice: its IRN cancelled once (active → cancelled, with the
time and reason), and the PDF printed with its QR code recorded once. A cancelled IRN's row stays,
because its number can never be registered again. TRUNCATE is refused."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION invoicing_einvoice_guard() RETURNS trigger AS $$
DECLARE
  excluded text[] := ARRAY['updated_at'];
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.retain_until < current_date THEN
      RETURN OLD;
    END IF;
    PERFORM invoicing_refuse(format('the e-invoice of IRN %s is kept until %s: it cannot be deleted', OLD.irn, OLD.retain_until));
  END IF;
  IF NEW.imported_by_id IS NULL THEN excluded := array_append(excluded, 'imported_by_id'); END IF;
  IF OLD.status = 'active' AND NEW.status = 'cancelled' THEN
    excluded := excluded || ARRAY['status', 'cancelled_at', 'cancel_reason'];
  END IF;
  IF OLD.pdf = '' AND OLD.pdf_sha256 = '' THEN
    excluded := excluded || ARRAY['pdf', 'pdf_sha256'];
  END IF;
  IF (to_jsonb(NEW) - excluded) = (to_jsonb(OLD) - excluded) THEN
    RETURN NEW;
  END IF;
  PERFORM invoicing_refuse(format('the e-invoice of IRN %s is %s: it cannot be changed', OLD.irn, OLD.status));
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS invoicing_einvoice_frozen ON invoicing_einvoice;
CREATE TRIGGER invoicing_einvoice_frozen BEFORE UPDATE OR DELETE ON invoicing_einvoice
  FOR EACH ROW EXECUTE FUNCTION invoicing_einvoice_guard();
DROP TRIGGER IF EXISTS invoicing_einvoice_no_truncate ON invoicing_einvoice;
CREATE TRIGGER invoicing_einvoice_no_truncate BEFORE TRUNCATE ON invoicing_einvoice
  FOR EACH STATEMENT EXECUTE FUNCTION invoicing_refuse_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS invoicing_einvoice_frozen ON invoicing_einvoice;
DROP TRIGGER IF EXISTS invoicing_einvoice_no_truncate ON invoicing_einvoice;
DROP FUNCTION IF EXISTS invoicing_einvoice_guard();
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
    dependencies = [("invoicing", "0009_einvoice")]

    operations = [migrations.RunPython(forwards, backwards)]
