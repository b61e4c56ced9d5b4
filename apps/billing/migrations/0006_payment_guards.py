"""On PostgreSQL the database itself keeps AMC payments and the platform's invoices for their legal period,
like a shop's own (invoicing 0002, 0004, 0006), whatever client connects: plain triggers the app role,
which owns nothing, cannot disable.

- A payment is never changed (but clearing a deleted super admin's id) nor deleted before `retain_until`.
- An issued platform invoice or credit note is frozen: only its PDF is recorded, once (from empty), and a
  deleted user's id cleared. It cannot be deleted before `retain_until`.
- A platform series' counter only moves forward, and a series that numbered a document stays.
- TRUNCATE is refused on all three tables.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION billing_refuse(message text) RETURNS void AS $$
BEGIN
  RAISE EXCEPTION '%', message USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION billing_payment_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.retain_until < current_date THEN
      RETURN OLD;
    END IF;
    PERFORM billing_refuse(format('AMC payment %s is kept until %s: it cannot be deleted', OLD.id, OLD.retain_until));
  END IF;
  IF NEW.recorded_by_id IS NULL AND (to_jsonb(NEW) - 'recorded_by_id') = (to_jsonb(OLD) - 'recorded_by_id') THEN
    RETURN NEW;
  END IF;
  PERFORM billing_refuse(format('AMC payment %s cannot be changed', OLD.id));
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS billing_payment_kept ON billing_billingpayment;
CREATE TRIGGER billing_payment_kept BEFORE UPDATE OR DELETE ON billing_billingpayment
  FOR EACH ROW EXECUTE FUNCTION billing_payment_guard();

CREATE OR REPLACE FUNCTION billing_platform_invoice_guard() RETURNS trigger AS $$
DECLARE
  excluded text[] := ARRAY['updated_at'];
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.retain_until < current_date THEN
      RETURN OLD;
    END IF;
    PERFORM billing_refuse(format('%s is kept until %s: it cannot be deleted', OLD.number, OLD.retain_until));
  END IF;
  IF NEW.issued_by_id IS NULL THEN excluded := array_append(excluded, 'issued_by_id'); END IF;
  IF OLD.pdf = '' AND OLD.pdf_sha256 = '' THEN
    excluded := excluded || ARRAY['pdf', 'pdf_sha256'];
  END IF;
  IF (to_jsonb(NEW) - excluded) = (to_jsonb(OLD) - excluded) THEN
    RETURN NEW;
  END IF;
  PERFORM billing_refuse(format('%s is issued: it cannot be changed', OLD.number));
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS billing_platform_invoice_frozen ON billing_platforminvoice;
CREATE TRIGGER billing_platform_invoice_frozen BEFORE UPDATE OR DELETE ON billing_platforminvoice
  FOR EACH ROW EXECUTE FUNCTION billing_platform_invoice_guard();

CREATE OR REPLACE FUNCTION billing_platform_series_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.next_number > 1 THEN
      PERFORM billing_refuse(format('series %s has numbered documents: it cannot be deleted', OLD.code));
    END IF;
    RETURN OLD;
  END IF;
  IF NEW.next_number < OLD.next_number THEN
    PERFORM billing_refuse(format('the counter of series %s only moves forward', OLD.code));
  END IF;
  IF OLD.next_number > 1 AND (NEW.doc_type, NEW.fy_start_year, NEW.code, NEW.number_format)
       IS DISTINCT FROM (OLD.doc_type, OLD.fy_start_year, OLD.code, OLD.number_format) THEN
    PERFORM billing_refuse(format('series %s has numbered documents: only its counter moves', OLD.code));
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS billing_platform_series_forward ON billing_platformseries;
CREATE TRIGGER billing_platform_series_forward BEFORE UPDATE OR DELETE ON billing_platformseries
  FOR EACH ROW EXECUTE FUNCTION billing_platform_series_guard();

CREATE OR REPLACE FUNCTION billing_refuse_truncate() RETURNS trigger AS $$
BEGIN
  PERFORM billing_refuse(format('%s is kept for the legal period: it cannot be truncated', TG_TABLE_NAME));
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS billing_payment_no_truncate ON billing_billingpayment;
CREATE TRIGGER billing_payment_no_truncate BEFORE TRUNCATE ON billing_billingpayment
  FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_truncate();
DROP TRIGGER IF EXISTS billing_platform_invoice_no_truncate ON billing_platforminvoice;
CREATE TRIGGER billing_platform_invoice_no_truncate BEFORE TRUNCATE ON billing_platforminvoice
  FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_truncate();
DROP TRIGGER IF EXISTS billing_platform_series_no_truncate ON billing_platformseries;
CREATE TRIGGER billing_platform_series_no_truncate BEFORE TRUNCATE ON billing_platformseries
  FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS billing_payment_kept ON billing_billingpayment;
DROP TRIGGER IF EXISTS billing_platform_invoice_frozen ON billing_platforminvoice;
DROP TRIGGER IF EXISTS billing_platform_series_forward ON billing_platformseries;
DROP TRIGGER IF EXISTS billing_payment_no_truncate ON billing_billingpayment;
DROP TRIGGER IF EXISTS billing_platform_invoice_no_truncate ON billing_platforminvoice;
DROP TRIGGER IF EXISTS billing_platform_series_no_truncate ON billing_platformseries;
DROP FUNCTION IF EXISTS billing_payment_guard();
DROP FUNCTION IF EXISTS billing_platform_invoice_guard();
DROP FUNCTION IF EXISTS billing_platform_series_guard();
DROP FUNCTION IF EXISTS billing_refuse_truncate();
DROP FUNCTION IF EXISTS billing_refuse(text);
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
    dependencies = [("billing", "0005_platform_sac_rate")]

    operations = [migrations.RunPython(forwards, backwards)]
