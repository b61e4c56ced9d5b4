from django.db import migrations

from apps.inventory.rules import SEED_PURITIES


def seed(apps, schema_editor):
    Purity = apps.get_model("inventory", "Purity")
    # On the connection migrate runs on (the owner role's, when one is configured).
    using = schema_editor.connection.alias if schema_editor is not None else "default"
    for metal, karat, fineness in SEED_PURITIES:
        Purity.objects.using(using).get_or_create(metal=metal, fineness=fineness, defaults={"karat": karat})


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
