"""On PostgreSQL the database itself keeps issued documents for their legal period, whatever client
connects: plain triggers (no bypass switch) that the app role, which owns nothing, cannot disable.

- An issued invoice is frozen: the only change let through is its cancellation (status, time and
  reason), and clearing a deleted user's id. It cannot be deleted before its `retain_until` day.
- Lines can be added, changed or removed only while their invoice is a draft.
- A series' counter only moves forward, and a series that has numbered a document stays.
- TRUNCATE is refused on all three tables (row triggers do not see it).
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION invoicing_refuse(message text) RETURNS void AS $$
BEGIN
  RAISE EXCEPTION '%', message USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

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
  IF (to_jsonb(NEW) - excluded) = (to_jsonb(OLD) - excluded) THEN
    RETURN NEW;
  END IF;
  PERFORM invoicing_refuse(format('invoice %s is %s: it cannot be changed', OLD.number, OLD.status));
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS invoicing_invoice_frozen ON invoicing_invoice;
CREATE TRIGGER invoicing_invoice_frozen BEFORE UPDATE OR DELETE ON invoicing_invoice
  FOR EACH ROW EXECUTE FUNCTION invoicing_invoice_guard();

CREATE OR REPLACE FUNCTION invoicing_line_guard() RETURNS trigger AS $$
DECLARE
  parent record;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT status, number, retain_until INTO parent FROM invoicing_invoice WHERE id = OLD.invoice_id;
    IF parent.status IS DISTINCT FROM 'draft'
       AND NOT (TG_OP = 'DELETE' AND parent.retain_until < current_date) THEN
      PERFORM invoicing_refuse(format('the lines of invoice %s cannot be changed', parent.number));
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT status, number INTO parent FROM invoicing_invoice WHERE id = NEW.invoice_id;
    IF parent.status IS DISTINCT FROM 'draft' THEN
      PERFORM invoicing_refuse(format('invoice %s takes no new lines', parent.number));
    END IF;
    RETURN NEW;
  END IF;
  RETURN OLD;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS invoicing_line_frozen ON invoicing_invoiceline;
CREATE TRIGGER invoicing_line_frozen BEFORE INSERT OR UPDATE OR DELETE ON invoicing_invoiceline
  FOR EACH ROW EXECUTE FUNCTION invoicing_line_guard();

CREATE OR REPLACE FUNCTION invoicing_series_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.next_number > 1 THEN
      PERFORM invoicing_refuse(format('series %s has numbered documents: it cannot be deleted', OLD.code));
    END IF;
    RETURN OLD;
  END IF;
  IF NEW.next_number < OLD.next_number THEN
    PERFORM invoicing_refuse(format('the counter of series %s only moves forward', OLD.code));
  END IF;
  IF OLD.next_number > 1 AND (NEW.tenant_id, NEW.doc_type, NEW.gstin, NEW.fy_start_year, NEW.code, NEW.number_format)
       IS DISTINCT FROM (OLD.tenant_id, OLD.doc_type, OLD.gstin, OLD.fy_start_year, OLD.code, OLD.number_format) THEN
    PERFORM invoicing_refuse(format('series %s has numbered documents: only its counter moves', OLD.code));
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS invoicing_series_forward ON invoicing_documentseries;
CREATE TRIGGER invoicing_series_forward BEFORE UPDATE OR DELETE ON invoicing_documentseries
  FOR EACH ROW EXECUTE FUNCTION invoicing_series_guard();

CREATE OR REPLACE FUNCTION invoicing_refuse_truncate() RETURNS trigger AS $$
BEGIN
  PERFORM invoicing_refuse(format('%s is kept for the legal period: it cannot be truncated', TG_TABLE_NAME));
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS invoicing_invoice_no_truncate ON invoicing_invoice;
CREATE TRIGGER invoicing_invoice_no_truncate BEFORE TRUNCATE ON invoicing_invoice
  FOR EACH STATEMENT EXECUTE FUNCTION invoicing_refuse_truncate();
DROP TRIGGER IF EXISTS invoicing_line_no_truncate ON invoicing_invoiceline;
CREATE TRIGGER invoicing_line_no_truncate BEFORE TRUNCATE ON invoicing_invoiceline
  FOR EACH STATEMENT EXECUTE FUNCTION invoicing_refuse_truncate();
DROP TRIGGER IF EXISTS invoicing_series_no_truncate ON invoicing_documentseries;
CREATE TRIGGER invoicing_series_no_truncate BEFORE TRUNCATE ON invoicing_documentseries
  FOR EACH STATEMENT EXECUTE FUNCTION invoicing_refuse_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS invoicing_invoice_frozen ON invoicing_invoice;
DROP TRIGGER IF EXISTS invoicing_line_frozen ON invoicing_invoiceline;
DROP TRIGGER IF EXISTS invoicing_series_forward ON invoicing_documentseries;
DROP TRIGGER IF EXISTS invoicing_invoice_no_truncate ON invoicing_invoice;
DROP TRIGGER IF EXISTS invoicing_line_no_truncate ON invoicing_invoiceline;
DROP TRIGGER IF EXISTS invoicing_series_no_truncate ON invoicing_documentseries;
DROP FUNCTION IF EXISTS invoicing_invoice_guard();
DROP FUNCTION IF EXISTS invoicing_line_guard();
DROP FUNCTION IF EXISTS invoicing_series_guard();
DROP FUNCTION IF EXISTS invoicing_refuse_truncate();
DROP FUNCTION IF EXISTS invoicing_refuse(text);
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
    dependencies = [("invoicing", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
