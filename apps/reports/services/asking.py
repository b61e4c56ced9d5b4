"""Exports as a person sees them: asked for, then handed out for a week once a worker has built them
(`building`).

`export_request` checks the request and queues the build after commit (an identical export still
waiting or running is returned instead of a second one). `export_download` lets the file go only to
someone with the right to export, while the export is done and not yet expired, and records each
download; `export_link` then gives the link to it.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.files import private_file_url
from apps.core.rls import task_send
from apps.gst.periods import ReturnPeriod
from apps.reports import tasks
from apps.reports.exceptions import ExportExpired, ExportNotOffered, ExportNotReady
from apps.reports.kinds import export_kind_get
from apps.reports.models import Export
from apps.reports.services.building import export_file_storage
from apps.tenants import rights
from apps.tenants.models import Tenant

if TYPE_CHECKING:
    from apps.accounts.models import User

STORAGE_ALIAS = "exports"
GST_START = date(2017, 7, 1)  # GST replaced the old indirect taxes on 1 July 2017


def _json_safe(options: dict[str, Any]) -> dict[str, Any]:
    """Options as the row will keep them (dates as text, tuples as lists), so two requests compare alike."""
    return json.loads(json.dumps(options, cls=DjangoJSONEncoder, sort_keys=True))


# --- asking ----------------------------------------------------------------------------------------


@transaction.atomic
def export_request(
    *,
    tenant: Tenant,
    actor: User,
    kind_code: str,
    period: ReturnPeriod,
    options: dict[str, Any] | None = None,
) -> Export:
    """Queue an export of `kind_code` for `period`, or return the identical one already on its way."""
    rights.right_require(tenant=tenant, actor=actor, right=rights.RETURNS_EXPORT)
    if not tenant.is_shop:
        raise ExportNotOffered("GST returns and registers are a shop's: this is a personal workspace.")
    kind = export_kind_get(kind_code)
    if kind is None:
        raise ValidationError({"kind": [f"{kind_code or 'An empty kind'} is not an export Tijori offers."]})
    if period.start > timezone.localdate():
        raise ValidationError(
            {"period": [f"{period.label} has not started yet: pick a period up to this month."]}
        )
    if period.end < GST_START:
        raise ValidationError({"period": ["GST began on 1 July 2017: pick a period from July 2017 on."]})
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ValidationError({"options": ["Options are a set of names and values."]})
    cleaned = _json_safe(kind.options_clean(tenant, period, dict(options)))
    # One request at a time per shop, so a double click cannot queue the same export twice.
    Tenant.objects.select_for_update().filter(pk=tenant.pk).values_list("pk", flat=True).first()
    waiting = Export.objects.for_tenant(tenant).filter(
        kind=kind.code, period_start=period.start, period_end=period.end, status__in=Export.ACTIVE
    )
    for export in waiting:
        if export.options == cleaned:
            return export
    export = Export(
        tenant=tenant,
        kind=kind.code,
        period_start=period.start,
        period_end=period.end,
        period_code=period.code,
        options=cleaned,
        requested_by=actor,
    )
    export.full_clean(exclude=["tenant", "requested_by"], validate_unique=False)
    export.save(force_insert=True)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="export.request",
        summary=f"Asked for {kind.label}, {period.label}",
        target=export,
    )
    transaction.on_commit(lambda: task_send(tasks.export_build_task, export.pk, tenant_id=tenant.pk))
    return export


# --- handing out -----------------------------------------------------------------------------------


@transaction.atomic
def export_download(*, tenant: Tenant, actor: User, export: Export) -> Export:
    """Check that the export's file may be handed to `actor` now, and record that it is."""
    assert export.tenant_id == tenant.id  # callers fetch through selectors; defensive only
    rights.right_require(tenant=tenant, actor=actor, right=rights.RETURNS_EXPORT)
    if export.is_expired:
        kept = settings.EXPORT_KEEP_DAYS
        raise ExportExpired(
            f"This file was removed {kept} days after it was made, as every export is. Its record stays; "
            "start the export again to get a new file."
        )
    if export.status != Export.Status.DONE:
        raise ExportNotReady(
            {
                Export.Status.QUEUED: "The file is not ready yet: it is waiting for a worker.",
                Export.Status.RUNNING: "The file is not ready yet: it is being built.",
                Export.Status.REFUSED: "There is no file: the export was refused. Fix what it lists and "
                "start it again.",
                Export.Status.FAILED: "There is no file: the export failed. Start it again.",
            }.get(export.status, "There is no file to download.")
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="export.download",
        target=export,
        summary=f"Downloaded {export.file_name} ({export.kind_label}, SHA-256 {export.sha256})",
    )
    return export


def export_link(*, export: Export, user: User) -> str:
    """A link to the file that expires in PRIVATE_FILE_URL_EXPIRY_SECONDS, for a user `export_download`
    let through: presigned in S3; on local disk, a signed link that checks the user's membership again."""
    return private_file_url(
        alias=STORAGE_ALIAS, name=export.file.name, user_id=user.pk, tenant_id=export.tenant_id,
        filename=export.file_name,
    )  # fmt: skip


def exports_on_local_disk() -> bool:
    return isinstance(export_file_storage(), FileSystemStorage)
