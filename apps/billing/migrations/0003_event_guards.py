"""On PostgreSQL the database itself keeps a contract's history as written, like the audit trail: no
change (but clearing a deleted user's id; caused_by still names them), no delete of an event younger
than 7 years, no TRUNCATE. The app role owns nothing and cannot disable these triggers."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION billing_contract_event_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW.actor_id IS NULL AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'contract events cannot be changed' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.created_at >= now() - interval '7 years' THEN
    RAISE EXCEPTION 'contract events are kept for 7 years' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN OLD;
END
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION billing_contract_event_refuse_truncate() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'contract events are kept for 7 years; the history cannot be truncated'
    USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS billing_contract_event_append_only ON billing_contractevent;
CREATE TRIGGER billing_contract_event_append_only BEFORE UPDATE OR DELETE ON billing_contractevent
  FOR EACH ROW EXECUTE FUNCTION billing_contract_event_guard();
DROP TRIGGER IF EXISTS billing_contract_event_no_truncate ON billing_contractevent;
CREATE TRIGGER billing_contract_event_no_truncate BEFORE TRUNCATE ON billing_contractevent
  FOR EACH STATEMENT EXECUTE FUNCTION billing_contract_event_refuse_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS billing_contract_event_append_only ON billing_contractevent;
DROP TRIGGER IF EXISTS billing_contract_event_no_truncate ON billing_contractevent;
DROP FUNCTION IF EXISTS billing_contract_event_guard();
DROP FUNCTION IF EXISTS billing_contract_event_refuse_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_seed_plans")]

    operations = [migrations.RunPython(forwards, backwards)]
