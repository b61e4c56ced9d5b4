"""The plans a new installation starts with.

- AMC (`amc`), for jewellery shops and their default: ₹10,000 a year before GST, a 14-day trial (two
  weeks: enough to enter a shop's stock and issue the first real bills), 15 days of grace after a
  period ends unpaid.
- Personal (`personal`), for personal workspaces and their default: free, with no period; projects on
  AWS within the workspace's provisioning quotas (the platform's defaults, which a super admin can
  override per workspace).

Super admins change prices, days and what each plan includes in admin.
"""

from decimal import Decimal

from django.db import migrations

PLANS = [
    {
        "code": "amc",
        "name": "AMC",
        "for_kind": "shop",
        "yearly_price": Decimal("10000.00"),
        "trial_days": 14,
        "grace_days": 15,
        "includes": "\n".join(
            [
                "Stock with BIS hallmark HUIDs and certificates",
                "GST invoices, credit and debit notes, receipts and old-gold vouchers",
                "GST return exports",
                "The whole team, with roles",
                "The REST API",
                "Support and updates for the year",
            ]
        ),
    },
    {
        "code": "personal",
        "name": "Personal",
        "for_kind": "personal",
        "yearly_price": Decimal("0.00"),
        "trial_days": 0,
        "grace_days": 0,
        "includes": "\n".join(
            [
                "Projects on AWS within the workspace's provisioning quotas",
                "Invite others to build with you",
            ]
        ),
    },
]


def seed(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    using = schema_editor.connection.alias if schema_editor is not None else "default"
    for values in PLANS:
        values = dict(values)
        code = values.pop("code")
        kind_has_default = (
            Plan.objects.using(using).filter(for_kind=values["for_kind"], is_default=True).exists()
        )
        Plan.objects.using(using).get_or_create(
            code=code, defaults={**values, "is_default": not kind_has_default, "is_active": True}
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_contracts_and_plans")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
