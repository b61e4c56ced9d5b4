"""The registers' selectors, against the hand-worked book of tests/reports/registers_data.py."""

import json
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from django.utils import timezone

from apps.inventory import services as inventory_services
from apps.inventory.models import StockItem
from apps.reports.registers import (
    DateRange,
    hsn_summary,
    old_gold_register,
    payments_register,
    sales_register,
    stock_movement,
)
from apps.reports.registers.payments import payment_row
from tests.reports.registers_data import NOVEMBER, OCTOBER, SEPTEMBER

pytestmark = pytest.mark.django_db

OCT = DateRange(*OCTOBER)
AMOUNTS = ("taxable_value", "cgst", "sgst", "igst")


def _numbers(register) -> list[str]:
    return [d.number for d in register.rows]


def test_sales_register_counts_credit_notes_negative_and_lists_cancelled_documents_without_counting_them(
    book,
):
    register = sales_register(tenant=book.tenant, dates=OCT)

    docs = book.documents
    assert _numbers(register) == [docs[n].number for n in ("I1", "I2", "CN1", "DN1")]
    rows = {d.number: d for d in register.rows}
    credit = rows[docs["CN1"].number]
    assert (credit.s_taxable_value, credit.s_cgst, credit.s_grand_total) == (
        Decimal("-67700.00"), Decimal("-1015.50"), Decimal("-69731.00"),
    )  # fmt: skip
    cancelled = rows[docs["I2"].number]
    assert cancelled.status == "cancelled" and cancelled.s_grand_total == Decimal("69731.00")
    # 70,911 (I1) - 69,731 (CN1) + 118 (DN1); I2's 69,731 is cancelled and not counted.
    assert register.totals == {
        "documents": 4, "cancelled": 1, "taxable_value": Decimal("1100.00"), "cgst": Decimal("99.00"),
        "sgst": Decimal("99.00"), "igst": Decimal("0.00"), "tax": Decimal("198.00"), "round_off": Decimal("0.00"),
        "grand_total": Decimal("1298.00"),
    }  # fmt: skip


def test_sales_register_filters_by_kind_buyer_status_and_search(book):
    docs = book.documents

    def numbers(**filters):
        return _numbers(sales_register(tenant=book.tenant, dates=OCT, **filters))

    assert numbers(kind="credit_note") == [docs["CN1"].number]
    assert numbers(buyer="registered") == [docs["I1"].number, docs["DN1"].number]
    assert numbers(buyer="unregistered") == [docs["I2"].number, docs["CN1"].number]
    assert numbers(status="cancelled") == [docs["I2"].number]
    assert numbers(q="ratna") == [docs["I1"].number, docs["DN1"].number]
    assert numbers(q=docs["CN1"].number) == [docs["CN1"].number]
    credits = sales_register(tenant=book.tenant, dates=OCT, kind="credit_note").totals
    assert credits["grand_total"] == Decimal("-69731.00")
    cancelled = sales_register(tenant=book.tenant, dates=OCT, status="cancelled").totals
    assert (cancelled["documents"], cancelled["grand_total"]) == (1, Decimal("0.00"))


def test_another_shops_documents_never_appear_in_any_register(book, other_shop):
    mine = {
        "sales": sales_register(tenant=book.tenant, dates=OCT),
        "payments": payments_register(tenant=book.tenant, dates=OCT),
        "old_gold": old_gold_register(tenant=book.tenant, dates=OCT),
        "stock": stock_movement(tenant=book.tenant, dates=OCT),
        "hsn": hsn_summary(tenant=book.tenant, dates=OCT),
    }
    assert {d.tenant_id for d in mine["sales"].rows} == {book.tenant.pk}
    assert "Kavya" not in {d.buyer_name for d in mine["sales"].rows}
    assert [r["customer_name"] for r in map(payment_row, mine["payments"].rows)].count("Kavya") == 0
    assert mine["payments"].totals["advances"] == {"count": 1, "amount": Decimal("5000.00")}
    assert [v.customer.name for v in mine["old_gold"].rows] == ["Ratna Traders"]
    assert mine["stock"].totals["metals"][0]["added_count"] == 1  # R4 only, not shop B's ring
    assert mine["hsn"].totals["all"]["taxable_value"] == Decimal("1100.00")

    # Shop B's own registers hold its sale and nothing of shop A's.
    theirs = sales_register(tenant=other_shop, dates=OCT)
    assert [d.buyer_name for d in theirs.rows] == ["Kavya"]
    assert theirs.totals["documents"] == 1
    assert [
        r["customer_name"] for r in map(payment_row, payments_register(tenant=other_shop, dates=OCT).rows)
    ] == ["Kavya"]
    assert old_gold_register(tenant=other_shop, dates=OCT).totals["vouchers"] == 1
    stock = stock_movement(tenant=other_shop, dates=OCT)
    assert [(r["purity"], r["added_count"], r["sold_count"]) for r in stock.rows] == [("22K916", 1, 1)]


def test_hsn_summary_splits_b2b_and_b2c_and_nets_credit_notes(book):
    register = hsn_summary(tenant=book.tenant, dates=OCT)

    shown = [
        (
            r["section_code"],
            r["hsn_code"],
            r["gst_rate"],
            r["uqc"],
            r["quantity"],
            r["taxable_value"],
            r["cgst"],
        )
        for r in register.rows
    ]
    assert shown == [
        ("b2b", "7113", Decimal("3.00"), "GMS", Decimal("9.500"), Decimal("67700.00"), Decimal("1015.50")),
        # The repair (1,000) and the debit note on it (100): a service has no quantity.
        ("b2b", "9987", Decimal("18.00"), "OTH", Decimal("0.000"), Decimal("1100.00"), Decimal("99.00")),
        # The ring returned on CN1 comes off, grams and rupees; I2 was cancelled and is not here.
        ("b2c", "7113", Decimal("3.00"), "GMS", Decimal("-9.500"), Decimal("-67700.00"), Decimal("-1015.50")),
    ]
    assert register.totals["b2b"]["taxable_value"] == Decimal("68800.00")
    assert register.totals["b2c"]["taxable_value"] == Decimal("-67700.00")
    b2c_only = hsn_summary(tenant=book.tenant, dates=OCT, section="b2c")
    assert [r["section_code"] for r in b2c_only.rows] == ["b2c"]
    assert b2c_only.totals["all"]["taxable_value"] == Decimal("-67700.00")


@pytest.mark.parametrize(
    "dates",
    [
        OCTOBER,
        SEPTEMBER,
        NOVEMBER,
        (date(2026, 9, 1), date(2026, 11, 30)),
        (date(2026, 10, 11), date(2026, 10, 20)),
    ],
    ids=["october", "september", "november", "three-months", "mid-october"],
)
def test_hsn_totals_equal_the_sales_registers_for_the_same_range(book, dates):
    dates = DateRange(*dates)
    sales = sales_register(tenant=book.tenant, dates=dates).totals
    hsn = hsn_summary(tenant=book.tenant, dates=dates).totals
    assert {k: hsn["all"][k] for k in AMOUNTS} == {k: sales[k] for k in AMOUNTS}
    for section, buyer_kind in (("b2b", "registered"), ("b2c", "unregistered")):
        part = sales_register(tenant=book.tenant, dates=dates, buyer=buyer_kind).totals
        assert {k: hsn[section][k] for k in AMOUNTS} == {k: part[k] for k in AMOUNTS}


def test_payments_by_mode_with_advances_received_on_their_own_line(book):
    register = payments_register(tenant=book.tenant, dates=OCT)

    by_mode = {m["mode"]: (m["count"], m["amount"]) for m in register.totals["modes"]}
    assert by_mode == {
        "cash": (1, Decimal("20000.00")), "upi": (1, Decimal("30911.00")), "card": (1, Decimal("118.00")),
        "bank": (0, Decimal("0.00")), "old_gold": (1, Decimal("20000.00")), "advance": (0, Decimal("0.00")),
        "advance_received": (1, Decimal("5000.00")),
    }  # fmt: skip
    assert register.totals["payments"] == {"count": 4, "amount": Decimal("71029.00")}
    # Money in: cash, UPI and card payments, and the bank transfer of the advance; not the old gold.
    assert register.totals["money_in"] == Decimal("56029.00")
    assert register.totals["cash_in"] == Decimal("20000.00")
    rows = [payment_row(r) for r in register.rows]
    assert [(r["day"].day, r["row_kind"], r["mode"], r["amount"]) for r in rows] == [
        (6, "payment", "cash", Decimal("20000.00")),
        (6, "payment", "upi", Decimal("30911.00")),
        (12, "advance_received", "bank", Decimal("5000.00")),
        (18, "payment", "old_gold", Decimal("20000.00")),
        (20, "payment", "card", Decimal("118.00")),
    ]
    assert rows[3]["voucher"] == book.old_gold.number and rows[2]["document"] == book.advance.number
    assert register.totals["listed"] == {"count": 5, "amount": Decimal("76029.00")}

    cash = payments_register(tenant=book.tenant, dates=OCT, mode="cash")
    assert [payment_row(r)["amount"] for r in cash.rows] == [Decimal("20000.00")]
    assert cash.totals["listed"] == {"count": 1, "amount": Decimal("20000.00")}
    advances = payments_register(tenant=book.tenant, dates=OCT, mode="advance_received")
    assert [payment_row(r)["document"] for r in advances.rows] == [book.advance.number]

    # November: the advance is adjusted against I3, which brings no money in.
    november = payments_register(tenant=book.tenant, dates=DateRange(*NOVEMBER)).totals
    assert {m["mode"]: m["amount"] for m in november["modes"]}["advance"] == Decimal("5000.00")
    assert november["money_in"] == Decimal("0.00")


def test_old_gold_register_gives_weights_purity_fine_weight_and_value(book):
    register = old_gold_register(tenant=book.tenant, dates=OCT)

    (voucher,) = register.rows
    assert (voucher.gross_weight, voucher.deduction_weight, voucher.net_weight) == (
        Decimal("12.000"), Decimal("0.500"), Decimal("11.500"),
    )  # fmt: skip
    # 11.5 g x 91.60% = 10.534 g fine, at 6,000 a gram of fine gold.
    assert (voucher.purity_percent, voucher.fine_weight, voucher.value) == (
        Decimal("91.60"), Decimal("10.534"), Decimal("63204.00"),
    )  # fmt: skip
    assert register.totals == {
        "vouchers": 1, "gross_weight": Decimal("12.000"), "deduction_weight": Decimal("0.500"),
        "net_weight": Decimal("11.500"), "fine_weight": Decimal("10.534"), "value": Decimal("63204.00"),
    }  # fmt: skip
    assert old_gold_register(tenant=book.tenant, dates=OCT, q="meera").totals["vouchers"] == 0
    assert old_gold_register(tenant=book.tenant, dates=DateRange(*SEPTEMBER)).totals["vouchers"] == 0


def _purity(register, label: str) -> dict:
    return next(r for r in register.rows if r["purity"] == label)


def test_stock_movement_of_october_from_the_documents(book):
    register = stock_movement(tenant=book.tenant, dates=OCT)

    gold = _purity(register, "22K916")
    # In at the start: R2 and R3 (R1 was sold on 25 Sep). Added R4; sold R2 (R3's invoice was cancelled);
    # R1 came back on CN1. Closing: R1, R3 and R4.
    counts = {phase: gold[f"{phase}_count"] for phase in ("opening", "added", "sold", "returned", "closing")}
    assert counts == {"opening": 2, "added": 1, "sold": 1, "returned": 1, "closing": 3}
    assert (gold["opening_net"], gold["closing_net"], gold["closing_gross"]) == (
        Decimal("19.000"), Decimal("28.500"), Decimal("30.000"),
    )  # fmt: skip
    silver = _purity(register, "Silver 925")
    assert (silver["opening_count"], silver["closing_count"], silver["closing_gross"]) == (
        1,
        1,
        Decimal("50.000"),
    )
    assert [m["metal"] for m in register.totals["metals"]] == ["gold", "silver"]
    assert "in_hand_now_count" not in gold  # October is over: today's stock says nothing of it
    only_silver = stock_movement(tenant=book.tenant, dates=OCT, metal="silver")
    assert [r["purity"] for r in only_silver.rows] == ["Silver 925"]


def test_stock_closing_of_a_range_is_the_opening_of_the_next(book):
    today = timezone.localdate()
    cuts = [date(2026, 9, 1), date(2026, 9, 25), date(2026, 10, 1), date(2026, 10, 10), date(2026, 10, 16),
            date(2026, 11, 1), date(2026, 11, 3), today + timedelta(days=1)]  # fmt: skip
    ranges = [DateRange(start, end - timedelta(days=1)) for start, end in pairwise(cuts)]
    measures = [f"{phase}_{m}" for phase in ("opening", "closing") for m in ("count", "net", "gross")]
    previous = None
    for dates in ranges:
        rows = {r["purity"]: r for r in stock_movement(tenant=book.tenant, dates=dates).rows}
        if previous is not None:
            for label in previous.keys() | rows.keys():
                before, now = previous.get(label), rows.get(label)
                assert before is not None and now is not None, (dates, label)
                for m in ("count", "net", "gross"):
                    assert before[f"closing_{m}"] == now[f"opening_{m}"], (dates, label, m)
        previous = rows
        assert all(rows[label][name] >= 0 for label in rows for name in measures)


def test_stock_range_ending_today_closes_on_the_articles_in_hand(book):
    dates = DateRange(date(2026, 10, 1), timezone.localdate())
    register = stock_movement(tenant=book.tenant, dates=dates)

    in_hand = StockItem.objects.for_tenant(book.tenant).filter(stock_status__in=["in_stock", "reserved"])
    for row in register.rows:
        articles = in_hand.filter(purity_id=row["purity_id"])
        assert row["closing_count"] == articles.count() == row["in_hand_now_count"]
        assert row["closing_net"] == sum(a.net_weight for a in articles)
        assert row["closing_gross"] == sum(a.gross_weight for a in articles)
    assert _purity(register, "22K916")["closing_count"] == 2  # R1 (returned) and R3 (its sale cancelled)
    assert register.totals["differs_from_stock_list"] is False

    # A status set by hand is not a movement: the register keeps the article, and says the two differ.
    ring = book.rings[2]
    inventory_services.stock_item_update(
        tenant=book.tenant, actor=book.owner, item=ring, **_values(ring), stock_status="sold"
    )
    after = stock_movement(tenant=book.tenant, dates=dates)
    gold = _purity(after, "22K916")
    assert (gold["closing_count"], gold["in_hand_now_count"]) == (2, 1)
    assert after.totals["differs_from_stock_list"] is True


def _values(item: StockItem) -> dict:
    return {
        "sku": item.sku, "name": item.name, "category": item.category, "purity": item.purity,
        "gross_weight": item.gross_weight, "stone_weight": item.stone_weight,
        "making_charge_type": item.making_charge_type, "making_charge_value": item.making_charge_value,
        "stone_value": item.stone_value, "hsn_code": item.hsn_code, "huid": item.huid,
        "hallmark_status": item.hallmark_status, "exemption": item.exemption, "ready_for_sale": item.ready_for_sale,
    }  # fmt: skip


def test_an_empty_range_has_zero_totals(book):
    dates = DateRange(date(2026, 8, 1), date(2026, 8, 31))
    assert sales_register(tenant=book.tenant, dates=dates).totals["grand_total"] == Decimal("0.00")
    assert hsn_summary(tenant=book.tenant, dates=dates).rows == []
    assert payments_register(tenant=book.tenant, dates=dates).totals["money_in"] == Decimal("0.00")
    assert stock_movement(tenant=book.tenant, dates=dates).rows == []  # nothing entered before September


@pytest.mark.parametrize("dates", [SEPTEMBER, OCTOBER, NOVEMBER])
def test_the_hsn_register_and_the_gstr1_hsn_summary_agree_to_the_paisa(book, dates):
    """Two readers of the same stored amounts: the register's SQL sums and GSTR-1's streamed Table 12."""
    from io import BytesIO

    from apps.core.rls import tenant_scope
    from apps.gst.periods import ReturnPeriod
    from apps.reports.kinds import ExportContext, export_kind_get

    out = BytesIO()
    with tenant_scope(book.tenant.pk):
        export_kind_get("gstr1_json").write(
            ExportContext(
                tenant=book.tenant, period=ReturnPeriod.month(dates[0].year, dates[0].month), options={},
                out=out, progress=lambda done, total: None,
            )
        )  # fmt: skip
    table = json.loads(out.getvalue(), parse_float=Decimal)["hsn"]
    register = hsn_summary(tenant=book.tenant, dates=DateRange(*dates)).totals
    keys = {"taxable_value": "txval", "cgst": "camt", "sgst": "samt", "igst": "iamt"}
    for section in ("b2b", "b2c"):
        rows = table[f"hsn_{section}"]
        assert rows or register[section]["taxable_value"] == 0
        assert {
            ours: sum((Decimal(r[theirs]) for r in rows), Decimal("0")) for ours, theirs in keys.items()
        } == {ours: register[section][ours] for ours in keys}
