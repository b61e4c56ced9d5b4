from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.gst.tax import ROUND_OFF_LIMIT, document_totals, is_inter_state, line_tax

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000000"), places=2)
rates = st.sampled_from([Decimal(r) for r in ("0", "0.25", "3", "5", "12", "18", "28")])


def test_jewellery_in_the_shops_state_pays_cgst_and_sgst_of_one_and_a_half_percent_each():
    tax = line_tax(taxable=Decimal("100000.00"), rate=Decimal("3"), inter_state=False)
    assert (tax.cgst, tax.sgst, tax.igst) == (Decimal("1500.00"), Decimal("1500.00"), Decimal("0.00"))


def test_jewellery_sent_to_another_state_pays_igst_of_three_percent():
    tax = line_tax(taxable=Decimal("100000.00"), rate=Decimal("3"), inter_state=True)
    assert (tax.cgst, tax.sgst, tax.igst) == (Decimal("0.00"), Decimal("0.00"), Decimal("3000.00"))


def test_half_a_paisa_rounds_up():
    # 3% of ₹0.50 is 1.5 paise: 0.75 paise each for CGST and SGST, each settled to 1 paisa.
    tax = line_tax(taxable=Decimal("0.50"), rate=Decimal("3"), inter_state=False)
    assert (tax.cgst, tax.sgst) == (Decimal("0.01"), Decimal("0.01"))
    assert line_tax(taxable=Decimal("0.50"), rate=Decimal("3"), inter_state=True).igst == Decimal("0.02")


def test_place_of_supply_in_the_shops_state_is_intra_state():
    assert not is_inter_state(supplier_state="27", place_of_supply="27")
    assert is_inter_state(supplier_state="27", place_of_supply="29")


@given(taxable=amounts, rate=rates, inter_state=st.booleans())
def test_a_line_is_settled_at_two_places_and_cgst_equals_sgst(taxable, rate, inter_state):
    tax = line_tax(taxable=taxable, rate=rate, inter_state=inter_state)
    for part in (tax.taxable, tax.cgst, tax.sgst, tax.igst):
        assert part == part.quantize(Decimal("0.01"))
    assert tax.cgst == tax.sgst
    if inter_state:
        assert tax.cgst == tax.sgst == 0
    else:
        assert tax.igst == 0
    # Never more than half a paisa per tax away from the exact figure.
    exact = taxable * rate / 100
    assert abs(tax.tax - exact) <= Decimal("0.01")


@given(
    lines=st.lists(st.tuples(amounts, rates), min_size=1, max_size=30),
    inter_state=st.booleans(),
)
def test_document_totals_are_the_sums_of_its_lines_and_round_off_stays_within_fifty_paise(lines, inter_state):
    taxes = [line_tax(taxable=t, rate=r, inter_state=inter_state) for t, r in lines]
    totals = document_totals(taxes)
    assert totals.taxable == sum(t.taxable for t in taxes)
    assert totals.cgst == sum(t.cgst for t in taxes) and totals.cgst == totals.sgst
    assert totals.igst == sum(t.igst for t in taxes)
    assert totals.grand_total == totals.grand_total.to_integral_value()
    assert abs(totals.round_off) <= Decimal("0.50") <= ROUND_OFF_LIMIT
    assert totals.grand_total == totals.taxable + totals.tax + totals.round_off


@given(lines=st.lists(st.tuples(amounts, rates), min_size=1, max_size=30), inter_state=st.booleans())
def test_totals_do_not_drift_when_recomputed_from_stored_lines_in_any_order(lines, inter_state):
    taxes = [line_tax(taxable=t, rate=r, inter_state=inter_state) for t, r in lines]
    stored = [line_tax(taxable=t.taxable, rate=t.rate, inter_state=inter_state) for t in reversed(taxes)]
    assert document_totals(stored) == document_totals(taxes)


def test_without_rounding_to_the_rupee_there_is_no_round_off():
    totals = document_totals([line_tax(taxable=Decimal("100.33"), rate=Decimal("3"), inter_state=False)],
                             round_to_rupee=False)  # fmt: skip
    assert totals.round_off == 0 and totals.grand_total == Decimal(
        "103.33"
    )  # 1.50495 a side, settled to 1.50


def test_settled_figures_cannot_be_changed_after_the_fact():
    import dataclasses

    line = line_tax(taxable=Decimal("10"), rate=Decimal("3"), inter_state=False)
    totals = document_totals([line])
    for settled in (line, totals):
        with pytest.raises(dataclasses.FrozenInstanceError):
            settled.taxable = Decimal("0")
