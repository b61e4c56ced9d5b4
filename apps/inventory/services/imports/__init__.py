"""Stock as CSV: a shop's spreadsheet checked row by row, imported in one go, and exports that re-import.

An import adds the articles whose SKU is new to the shop and changes those it already has, as an edit
on the article's page would; the check shows both before anything is written. `csv_format` is the
file's shape (columns, words for choices, the template, exports); `reading` checks a file's rows
against the stock; the services here store, run and purge imports.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import AuditEntry, audit_record_many
from apps.core.figures import tenant_figures_changed
from apps.core.files import upload_name
from apps.inventory.exceptions import StockImportAlreadyRun
from apps.inventory.models import StockImport, StockItem
from apps.inventory.services.imports.csv_format import CSV_COLUMNS, stock_csv_template, stock_export_rows
from apps.inventory.services.imports.reading import ReadResult, Update, check_rows
from apps.inventory.services.stock import stock_item_change_entries, stock_item_created_summary

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

__all__ = [
    "CSV_COLUMNS",
    "stock_csv_template",
    "stock_export_rows",
    "stock_import_check",
    "stock_import_files_purge",
    "stock_import_run",
]

# One upload is checked and imported inside a web request: the row limit (in `reading`) and these
# keep it to a few seconds.
MAX_BYTES = 5 * 1024 * 1024
BATCH_SIZE = 1000
# What a check and a run record on the StockImport.
COUNTED = [
    "rows_total",
    "rows_good",
    "rows_new",
    "rows_changed",
    "rows_unchanged",
    "changes",
    "errors",
    "error_count",
]


def _error_lines(errors: list[dict[str, Any]], limit: int = 10) -> list[str]:
    lines = []
    for error in errors[:limit]:
        where = f"Row {error['row']}" if error["row"] else "The file"
        if error["column"]:
            where += f", {error['column']}"
        lines.append(f"{where}: {error['message']}")
    return lines


def _record_counts(stock_import: StockImport, result: ReadResult) -> None:
    stock_import.rows_total = result.rows_total
    stock_import.rows_good = result.rows_good
    stock_import.rows_new = len(result.items)
    stock_import.rows_changed = len(result.updates)
    stock_import.rows_unchanged = result.unchanged
    stock_import.changes = result.changes
    stock_import.errors = result.errors
    stock_import.error_count = result.error_count


def _save_changes(updates: list[Update]) -> None:
    """Write the changed articles, a thousand to a statement; rules were checked row by row."""
    if not updates:
        return
    now = timezone.now()
    fields = {"net_weight", "updated_at"}
    for update in updates:
        update.item.updated_at = now
        fields.update(update.fields)
    StockItem.objects.bulk_update([u.item for u in updates], sorted(fields), batch_size=BATCH_SIZE)


def _import_summary(stock_import: StockImport) -> str:
    summary = (
        f"Imported {stock_import.original_name}: {stock_import.rows_new:,} added, "
        f"{stock_import.rows_changed:,} updated, {stock_import.rows_unchanged:,} unchanged"
    )
    left_out = stock_import.rows_total - stock_import.rows_good
    return summary + (f"; {left_out:,} rows with problems left out" if left_out else "")


@transaction.atomic
def stock_import_check(*, tenant: Tenant, actor: User | None, upload: UploadedFile) -> StockImport:
    """Store an uploaded stock file and check every row; the stock itself is not touched.

    A file over 5 MB, or with nothing in it, raises ValidationError and is not stored. Otherwise
    the StockImport comes back `checked` (`rows_good` of `rows_total` rows can be imported: that
    many add, change or leave unchanged an article; the others are in `errors`) or `failed` when
    the file as a whole can't be read (not UTF-8, a wrong header, no rows, more than MAX_ROWS rows).
    """
    limit = f"the limit is {MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
    size = upload.size or 0
    if size > MAX_BYTES:
        raise ValidationError({"file": [f"The file is {size / 1024 / 1024:.1f} MB; {limit}"]})
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": [f"The file is over {MAX_BYTES // 1024 // 1024} MB; {limit}"]})
    if not data:
        raise ValidationError({"file": ["The file is empty."]})
    result = check_rows(tenant=tenant, actor=actor, data=data)
    stock_import = StockImport(
        tenant=tenant,
        created_by=actor,
        original_name=os.path.basename(upload.name or "")[-200:] or "stock.csv",
        status=StockImport.Status.FAILED if result.unreadable else StockImport.Status.CHECKED,
    )
    _record_counts(stock_import, result)
    stock_import.versions = result.versions
    stock_import.file.save(upload_name("text/csv"), ContentFile(data), save=False)
    try:
        stock_import.full_clean(validate_constraints=False)
        stock_import.save(force_insert=True)
    except BaseException:
        stock_import.file.storage.delete(stock_import.file.name)  # no orphan file for a row never saved
        raise
    return stock_import


@transaction.atomic
def stock_import_run(
    *, tenant: Tenant, actor: User | None, stock_import: StockImport, good_rows_only: bool = False
) -> StockImport:
    """Import a checked file: every row, or with `good_rows_only` the rows without errors.

    The file is read and checked again with the articles it names locked: a row whose article was
    changed, added or deleted since the check is then a problem, so the run writes only what the
    check showed. Any error (unless `good_rows_only`) raises ValidationError and nothing is
    imported. A new article is audited as `stock.create`, a change with the events of an edit on
    the article's page, and the import as one `stock.import` event.
    """
    assert stock_import.tenant_id == tenant.id  # callers fetch through selectors; defensive only
    stock_import = StockImport.objects.select_for_update().get(pk=stock_import.pk)
    if stock_import.status == StockImport.Status.IMPORTED:
        when = timezone.localtime(stock_import.imported_at)
        raise StockImportAlreadyRun(
            f"{stock_import.original_name} was already imported on {when:%d %b %Y at %H:%M}. "
            "To import it again, upload it again: it is checked against the stock as it is now."
        )
    if not stock_import.file:
        raise ValidationError(
            [
                f"The file of this import was removed {settings.STOCK_IMPORT_FILE_DAYS} days after it was "
                "uploaded. Upload it again to check and import it."
            ]
        )
    with stock_import.file.open("rb") as stored:
        data = stored.read()
    result = check_rows(tenant=tenant, actor=actor, data=data, versions=stock_import.versions, lock=True)
    if result.unreadable:
        raise ValidationError(_error_lines(result.errors))
    if result.error_count and not good_rows_only:
        raise ValidationError(
            [
                f"Nothing was imported: {result.rows_total - result.rows_good:,} of {result.rows_total:,} "
                "rows have errors. Correct them, or import only the rows without errors.",
                *_error_lines(result.errors),
            ]
        )
    if not result.rows_good:
        raise ValidationError(
            [f"Nothing was imported: none of the {result.rows_total:,} rows is free of errors."]
        )
    if not result.items and not result.updates:
        raise ValidationError(
            ["Nothing to import: every row without errors is the same as its article in the stock."]
        )
    try:
        with transaction.atomic():
            StockItem.objects.bulk_create(result.items, batch_size=BATCH_SIZE)
            _save_changes(result.updates)
    except IntegrityError:
        raise ValidationError(
            [
                "Nothing was imported: an article with one of these SKUs or HUIDs was added to the stock "
                "while the file was being imported. Check the file again."
            ]
        ) from None
    tenant_figures_changed(tenant_id=tenant.pk)
    _record_counts(stock_import, result)
    stock_import.status = StockImport.Status.IMPORTED
    stock_import.good_rows_only = good_rows_only
    stock_import.rows_imported = len(result.items) + len(result.updates)
    stock_import.imported_at = timezone.now()
    stock_import.save(
        update_fields=[*COUNTED, "status", "good_rows_only", "rows_imported", "imported_at", "updated_at"]
    )
    audit_record_many(
        tenant=tenant,
        actor=actor,
        entries=[
            *(AuditEntry("stock.create", stock_item_created_summary(item), item) for item in result.items),
            *(
                entry
                for update in result.updates
                for entry in stock_item_change_entries(update.item, update.before)
            ),
            AuditEntry(action="stock.import", summary=_import_summary(stock_import), target=stock_import),
        ],
        batch_size=BATCH_SIZE,
    )
    return stock_import


def stock_import_files_purge(*, now=None) -> int:
    """Delete uploaded stock files older than STOCK_IMPORT_FILE_DAYS; the imports' records stay.

    A shop's uploaded CSV holds its whole stock list: it is kept only as long as it may still be
    imported. Returns how many files went.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.STOCK_IMPORT_FILE_DAYS)
    purged = 0
    while True:
        batch = list(
            StockImport.objects.filter(created_at__lt=cutoff).exclude(file="").values_list("pk", "file")[:500]
        )
        if not batch:
            return purged
        storage = StockImport._meta.get_field("file").storage
        for _, name in batch:
            storage.delete(name)  # a file already gone is not an error for the storages Tijori uses
        StockImport.objects.filter(pk__in=[pk for pk, _ in batch]).update(file="")
        purged += len(batch)
