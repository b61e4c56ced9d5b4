"""An issued invoice's PDF is recorded once, after issue: the frozen-invoice guard (0002) lets `pdf`
and `pdf_sha256` change only from empty. Nothing else about it changes."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION invoicing_invoice_guard() RETURNS trigger AS $$
DECLARE
  excluded text[] := ARRAY['updated_at'];
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'draft' OR OLD.retain_until < current_date THEN
      RETURN OLD;
    END IF;
    PERFORM invoicing_refuse(format('invoice %s is kept until %s: it cannot be deleted', OLD.number, OLD.retain_until));
  END IF;
  IF OLD.status = 'draft' THEN
    RETURN NEW;
  END IF;
  IF NEW.created_by_id IS NULL THEN excluded := excluded || 'created_by_id'; END IF;
  IF NEW.issued_by_id IS NULL THEN excluded := excluded || 'issued_by_id'; END IF;
  IF OLD.status = 'issued' AND NEW.status = 'cancelled' THEN
    excluded := excluded || ARRAY['status', 'cancelled_at', 'cancel_reason'];
  END IF;
  IF OLD.pdf = '' AND OLD.pdf_sha256 = '' THEN
    excluded := excluded || ARRAY['pdf', 'pdf_sha256'];
  END IF;
  IF (to_jsonb(NEW) - excluded) = (to_jsonb(OLD) - excluded) THEN
    RETURN NEW;
  END IF;
  PERFORM invoicing_refuse(format('invoice %s is %s: it cannot be changed', OLD.number, OLD.status));
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # no parameters: the % of format() stays
            cursor.execute(CREATE)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0005_invoice_pdf")]

    # Backwards, 0002's function is kept: it refuses the PDF columns' change as it refuses any other.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
