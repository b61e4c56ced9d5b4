"""A GSTIN is claimed by verification: the certificate, who verified it and when; unique only among verified shops."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import apps.tenants.models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0005_tenant_gstin_validator"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="tenant",
            name="tenant_gstin_unique_when_set",
        ),
        migrations.AddField(
            model_name="tenant",
            name="gstin_certificate",
            field=models.FileField(
                blank=True,
                max_length=300,
                storage=apps.tenants.models.certificates_storage,
                upload_to=apps.tenants.models.gstin_certificate_path,
                verbose_name="GST registration certificate",
            ),
        ),
        migrations.AddField(
            model_name="tenant",
            name="gstin_certificate_name",
            field=models.CharField(blank=True, help_text="The uploader's file name.", max_length=200),
        ),
        migrations.AddField(
            model_name="tenant",
            name="gstin_certificate_uploaded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="tenant",
            name="gstin_rejection_reason",
            field=models.CharField(blank=True, max_length=300, verbose_name="why the GSTIN was not verified"),
        ),
        migrations.AddField(
            model_name="tenant",
            name="gstin_verified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="GSTIN verified at"),
        ),
        migrations.AddField(
            model_name="tenant",
            name="gstin_verified_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="GSTIN verified by",
            ),
        ),
        migrations.AddConstraint(
            model_name="tenant",
            constraint=models.UniqueConstraint(
                condition=models.Q(("gstin_verified_at__isnull", False)),
                fields=("gstin",),
                name="tenant_gstin_unique_when_verified",
            ),
        ),
        migrations.AddConstraint(
            model_name="tenant",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("gstin_verified_at__isnull", True),
                    models.Q(("gstin", ""), _negated=True),
                    _connector="OR",
                ),
                name="tenant_gstin_verified_is_set",
            ),
        ),
    ]
