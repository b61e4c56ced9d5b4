"""Projects can be deleted (a state of their own) and provisioned again (a ledger row per life)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("provisioning", "0002_own_aws_accounts"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="project",
            name="project_name_unique_per_tenant_while_live",
        ),
        migrations.RemoveConstraint(
            model_name="resource",
            name="resource_one_per_kind_per_project",
        ),
        migrations.AlterField(
            model_name="project",
            name="infra_state",
            field=models.CharField(
                choices=[
                    ("new", "Not provisioned"),
                    ("pending", "Waiting for a worker"),
                    ("provisioning", "Provisioning"),
                    ("deployed", "Deployed"),
                    ("destroying", "Destroying"),
                    ("destroyed", "Destroyed"),
                    ("failed", "Failed"),
                    ("cleanup_failed", "Clean-up failed"),
                    ("deleted", "Deleted"),
                ],
                default="new",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="resource",
            name="name",
            field=models.CharField(
                help_text="Deterministic: a stack (the project's key) always gets the same.", max_length=120
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.UniqueConstraint(
                condition=models.Q(("infra_state__in", ["destroyed", "deleted"]), _negated=True),
                fields=("tenant", "name"),
                name="project_name_unique_per_tenant_while_live",
            ),
        ),
        migrations.AddConstraint(
            model_name="resource",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "deleted"), _negated=True),
                fields=("project", "kind"),
                name="resource_one_live_per_kind_per_project",
            ),
        ),
    ]
