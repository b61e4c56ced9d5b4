"""Payments by mode, and the old-gold purchase register."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import CharField, Count, F, Q, Value
from django.db.models.functions import Coalesce

from apps.invoicing.models import MoneyMode, OldGoldVoucher, Payment, ReceiptVoucher
from apps.reports.registers.base import ZERO, Register, grams_sum, rupees_sum, settled
from apps.reports.registers.filters import ADVANCE_RECEIVED

if TYPE_CHECKING:
    from apps.gst.periods import DateRange
    from apps.tenants.models import Tenant

# The columns of a payments register row, the same for a payment and an advance received.
PAYMENT_COLUMNS = (
    "row_id", "row_kind", "day", "mode", "document", "customer_name", "voucher", "reference", "amount",
)  # fmt: skip
KIND_LABELS = {"payment": "Payment", ADVANCE_RECEIVED: "Advance received"}
MODE_LABELS = {**dict(Payment.Mode.choices), ADVANCE_RECEIVED: "Advance received (receipt voucher)"}


def payments_register(*, tenant: Tenant, dates: DateRange, mode: str = "") -> Register:
    """What came in during the range: payments against invoices by mode, and advances on receipt vouchers.

    A payment by `advance` adjusts an advance received earlier (no new money); an advance received is
    money in before any invoice, listed as its own line under the mode it was paid by. The totals
    give each mode's count and sum (`modes`, in the order of Payment.Mode, then the advances), the
    payments against invoices in all, and `money_in`: cash, UPI, card and bank payments plus the
    advances received (old gold and adjusted advances bring no money). Rows (`PAYMENT_COLUMNS`) are
    the payments and advances of the range, or those of one `mode` (a payment mode or
    `advance_received`), by day.
    """
    payments = Payment.objects.for_tenant(tenant).filter(
        received_on__gte=dates.start, received_on__lte=dates.end
    )
    advances = ReceiptVoucher.objects.for_tenant(tenant).filter(
        received_on__gte=dates.start, received_on__lte=dates.end
    )
    by_mode = {
        row["mode"]: settled(row)
        for row in payments.order_by().values("mode").annotate(count=Count("id"), amount=rupees_sum("amount"))
    }
    received = settled(
        advances.aggregate(
            n=Count("id"),
            total=rupees_sum("amount"),
            cash=rupees_sum("amount", filter=Q(mode=MoneyMode.CASH)),
        )
    )
    modes = [
        {"mode": code, "label": label, "count": by_mode.get(code, {}).get("count", 0),
         "amount": by_mode.get(code, {}).get("amount", ZERO)}
        for code, label in Payment.Mode.choices
    ]  # fmt: skip
    paid = {
        "count": sum(row["count"] for row in modes),
        "amount": sum((row["amount"] for row in modes), ZERO),
    }
    money = {row["mode"]: row["amount"] for row in modes if row["mode"] in MoneyMode.values}
    advances_in = {"count": received["n"], "amount": received["total"]}
    modes.append({"mode": ADVANCE_RECEIVED, "label": MODE_LABELS[ADVANCE_RECEIVED], **advances_in})
    totals = {
        "modes": modes,
        "payments": paid,
        "advances": advances_in,
        "money_in": sum(money.values(), ZERO) + received["total"],
        "cash_in": money[MoneyMode.CASH] + received["cash"],
    }
    shown = next((row for row in modes if row["mode"] == mode), None)
    totals["listed"] = (
        {"count": shown["count"], "amount": shown["amount"]}
        if shown
        else {"count": paid["count"] + advances_in["count"], "amount": paid["amount"] + advances_in["amount"]}
    )

    text = CharField()
    payment_rows = payments.annotate(
        row_id=F("id"), row_kind=Value("payment", output_field=text), day=F("received_on"), r_mode=F("mode"),
        document=F("invoice__number"), customer_name=F("invoice__buyer_name"),
        voucher=Coalesce("old_gold_voucher__number", "receipt_voucher__number", Value(""), output_field=text),
        r_reference=F("reference"), r_amount=F("amount"),
    )  # fmt: skip
    advance_rows = advances.annotate(
        row_id=F("id"), row_kind=Value(ADVANCE_RECEIVED, output_field=text), day=F("received_on"),
        r_mode=F("mode"), document=F("number"), customer_name=F("customer__name"),
        voucher=Value("", output_field=text), r_reference=F("reference"), r_amount=F("amount"),
    )  # fmt: skip
    columns = (
        "row_id",
        "row_kind",
        "day",
        "r_mode",
        "document",
        "customer_name",
        "voucher",
        "r_reference",
        "r_amount",
    )
    if mode == ADVANCE_RECEIVED:
        rows = advance_rows.values(*columns)
    elif mode:
        rows = payment_rows.filter(mode=mode).values(*columns)
    else:
        rows = (
            payment_rows.order_by().values(*columns).union(advance_rows.order_by().values(*columns), all=True)
        )
    return Register(rows=rows.order_by("day", "row_kind", "row_id"), totals=totals)


def payment_row(row: dict) -> dict:
    """A row of `payments_register` under the names PAYMENT_COLUMNS gives."""
    return {
        "row_id": row["row_id"], "row_kind": row["row_kind"], "day": row["day"], "mode": row["r_mode"],
        "document": row["document"] or "", "customer_name": row["customer_name"] or "",
        "voucher": row["voucher"] or "", "reference": row["r_reference"], "amount": row["r_amount"],
        "mode_label": MODE_LABELS.get(row["r_mode"], row["r_mode"]),
    }  # fmt: skip


def old_gold_register(*, tenant: Tenant, dates: DateRange, q: str = "") -> Register:
    """Old gold bought on purchase vouchers in the range, by day: weights, tested purity, fine weight,
    rate and value; totals of the weights and the value. `q` matches the voucher number or the
    customer's name."""
    qs = (
        OldGoldVoucher.objects.for_tenant(tenant)
        .filter(received_on__gte=dates.start, received_on__lte=dates.end)
        .select_related("customer")
    )
    term = " ".join(q.split())
    if term:
        qs = qs.filter(Q(number__icontains=term) | Q(customer__name__icontains=term))
    totals = qs.aggregate(
        vouchers=Count("id"),
        gross_weight=grams_sum("gross_weight"),
        deduction_weight=grams_sum("deduction_weight"),
        net_weight=grams_sum("net_weight"),
        fine_weight=grams_sum("fine_weight"),
        value=rupees_sum("value"),
    )
    grams = ("gross_weight", "deduction_weight", "net_weight", "fine_weight")
    return Register(rows=qs.order_by("received_on", "number", "id"), totals=settled(totals, grams=grams))
