from django.db import migrations, models


class Migration(migrations.Migration):
    """Idempotency keys belong to the caller (API key or person), not to the whole tenant.

    Rows claimed before this change are dropped: their bodies may hold an API key's secret, which is
    no longer stored, and they would have expired within 24 hours anyway. A row left behind has an
    empty caller, which no request has, so it is never replayed.
    """

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL("DELETE FROM core_idempotencykey", reverse_sql=migrations.RunSQL.noop),
        migrations.RemoveConstraint(model_name="idempotencykey", name="idempotency_key_unique_per_tenant"),
        migrations.AddField(
            model_name="idempotencykey",
            name="caller",
            field=models.CharField(
                default="", help_text="Who sent the key: api_key:<id> or user:<id>.", max_length=40
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="idempotencykey",
            name="secret_withheld",
            field=models.BooleanField(
                default=False,
                help_text="The first answer carried a secret, which is never stored; a repeat is told so.",
            ),
        ),
        migrations.AlterField(
            model_name="idempotencykey",
            name="fingerprint",
            field=models.CharField(
                help_text="SHA-256 of method, path and body (parsed fields and file digests).", max_length=64
            ),
        ),
        migrations.AddConstraint(
            model_name="idempotencykey",
            constraint=models.UniqueConstraint(
                fields=("tenant", "caller", "key"), name="idempotency_key_unique_per_caller"
            ),
        ),
    ]
