"""Hallmarking batches: send pending articles to a centre, receive them back, enter their HUIDs."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.figures import tenant_figures_changed
from apps.core.validators import date_check
from apps.inventory.exceptions import BatchStateError
from apps.inventory.hallmarking import huid_normalise
from apps.inventory.models import Certificate, HallmarkBatch, StockItem
from apps.inventory.services.certificates import certificate_upload
from apps.inventory.services.stock import stock_item_hallmark_receive

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant


@transaction.atomic
def hallmark_batch_send(
    *,
    tenant: Tenant,
    actor: User | None,
    centre_name: str,
    request_number: str,
    sent_on: date,
    item_ids: list[int],
) -> HallmarkBatch:
    """Send pending articles: they move to 'at hallmarking centre' under one batch."""
    errors: dict[str, list[str]] = {}
    if not (centre_name or "").strip():
        errors["centre_name"] = ["Name the hallmarking centre."]
    if not (request_number or "").strip():
        errors["request_number"] = ["Enter the centre's request number."]
    if sent_on and sent_on > timezone.localdate():
        errors["sent_on"] = ["The date sent can't be in the future."]
    date_check(sent_on, field="sent_on", label="date sent", errors=errors)
    ids = sorted(set(item_ids))
    items = list(
        StockItem.objects.for_tenant(tenant)
        .select_for_update(of=("self",))  # not the shared purity rows: other shops use them too
        .filter(pk__in=ids)
        .select_related("purity")
    )
    if not ids:
        errors["item_ids"] = ["Choose the articles to send."]
    elif len(items) != len(ids):
        errors["item_ids"] = ["Some of the chosen articles are not in this shop's stock."]
    else:
        not_pending = [i.sku for i in items if i.hallmark_status != StockItem.HallmarkStatus.PENDING]
        if not_pending:
            errors["item_ids"] = [
                f"Only articles pending hallmarking can be sent; not {', '.join(not_pending[:10])}."
            ]
    if (
        HallmarkBatch.objects.for_tenant(tenant)
        .filter(request_number=(request_number or "").strip())
        .exists()
    ):
        errors["request_number"] = ["This request number is already used by another batch."]
    if errors:
        raise ValidationError(errors)
    batch = HallmarkBatch(
        tenant=tenant, centre_name=centre_name.strip(), request_number=request_number.strip(), sent_on=sent_on,
        created_by=actor,
    )  # fmt: skip
    batch.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            batch.save()
    except IntegrityError:  # the same number sent at the same moment by someone else
        raise ValidationError(
            {"request_number": ["This request number is already used by another batch."]}
        ) from None
    StockItem.objects.filter(pk__in=ids).update(
        hallmark_status=StockItem.HallmarkStatus.AT_CENTRE, hallmark_batch=batch, updated_at=timezone.now()
    )
    tenant_figures_changed(tenant_id=tenant.pk)
    for item in items:  # each article's status change is in the trail, as for single edits
        audit_record(
            tenant=tenant, actor=actor, action="stock.hallmark_status", target=item,
            summary=f"{item.sku}: hallmark status Pending → At hallmarking centre (batch {batch.request_number})",
        )  # fmt: skip
    audit_record(
        tenant=tenant, actor=actor, action="batch.send", target=batch,
        summary=f"Sent {len(items)} article(s) to {batch.centre_name} (request {batch.request_number})",
    )  # fmt: skip
    return batch


@transaction.atomic
def hallmark_batch_receive(
    *,
    tenant: Tenant,
    actor: User | None,
    batch: HallmarkBatch,
    received_on: date,
    huids: dict[int, str],
    report: UploadedFile | None = None,
) -> HallmarkBatch:
    """Receive a batch back and record each article's HUID on one screen, with the AHC report if given.

    Articles given a HUID become hallmarked; those left blank go back to pending (the centre did not
    mark them). All HUIDs are checked before any is saved: one bad HUID (or a bad report file)
    changes nothing.
    """
    assert batch.tenant_id == tenant.id
    batch = HallmarkBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != HallmarkBatch.Status.SENT:
        raise BatchStateError("This batch has already been received.")
    if received_on < batch.sent_on:
        raise ValidationError({"received_on": ["The date received can't be before the date sent."]})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": ["The date received can't be in the future."]})
    items = {i.pk: i for i in batch.items.filter(hallmark_status=StockItem.HallmarkStatus.AT_CENTRE)}
    unknown = set(huids) - set(items)
    if unknown:
        raise ValidationError({"huids": ["Some HUIDs are for articles that are not in this batch."]})
    errors: dict[str, list[str]] = {}
    marked = 0
    for item_id, item in items.items():
        huid = huid_normalise(huids.get(item_id))
        try:
            stock_item_hallmark_receive(tenant=tenant, actor=actor, item=item, huid=huid)
            marked += bool(huid)
        except ValidationError as exc:
            for message in exc.messages:
                errors.setdefault(f"huid_{item_id}", []).append(f"{item.sku}: {message}")
    if errors:
        # The other articles' HUIDs are saved already: one bad HUID must change nothing. The raise
        # rolls them back as it leaves this atomic block; marking the block makes that hold even
        # if the error is ever caught before it leaves.
        transaction.set_rollback(True)
        raise ValidationError(errors)
    batch.status = HallmarkBatch.Status.RECEIVED
    batch.received_on = received_on
    batch.save(update_fields=["status", "received_on", "updated_at"])
    if report is not None:
        certificate_upload(
            tenant=tenant, actor=actor, kind=Certificate.Kind.AHC_REPORT, upload=report, batch_id=batch.pk
        )
    audit_record(
        tenant=tenant, actor=actor, action="batch.receive", target=batch,
        summary=f"Received batch {batch.request_number}: {marked} of {len(items)} article(s) hallmarked",
    )  # fmt: skip
    return batch
