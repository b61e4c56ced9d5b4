"""The dashboard's bar charts (apps.platform.charts): one baseline at zero, round steps, bars that
measure their figures, and figures written out from the Decimals themselves."""

from decimal import Decimal

import pytest

from apps.core.money import count_text, inr
from apps.platform import charts

LABELS = ["Jan", "Feb", "Mar"]
NAMES = ["Jan 2026", "Feb 2026", "Mar 2026"]


def _chart(values, **kwargs):
    return charts.bar_chart(
        key="t", title="T", note="", description="D", values=values, labels=LABELS, names=NAMES,
        describe=kwargs.pop("describe", inr), scale_text=kwargs.pop("scale_text", charts.rupees_short), **kwargs,
    )  # fmt: skip


def test_bars_measure_their_figures_from_a_zero_baseline():
    chart = _chart([Decimal("2500.00"), Decimal("5000.00"), Decimal("0.00")])

    first, second, third = chart.bars
    assert second.height == pytest.approx(2 * first.height, abs=0.2) and third.height == 0
    for bar in chart.bars:  # they stand on zero (drawn to a tenth of a unit)
        assert bar.y + bar.height == pytest.approx(chart.zero_y, abs=0.1)
    assert [t.text for t in chart.ticks] == ["₹0", "₹2k", "₹4k", "₹6k"]  # round steps past the top
    assert second.text == "Feb 2026: ₹5,000.00"


def test_a_negative_figure_hangs_below_zero_and_the_scale_reaches_down_to_it():
    chart = _chart([Decimal("11800.00"), Decimal("-17700.00"), Decimal("23600.00")])

    refund = chart.bars[1]
    assert refund.negative and refund.y == chart.zero_y
    assert chart.ticks[0].text == "-₹20k" and chart.ticks[-1].text == "₹40k"
    assert refund.text == "Feb 2026: -₹17,700.00"


def test_counts_step_in_whole_numbers_and_nothing_at_all_still_draws_a_scale():
    counts = _chart([1, 0, 1], describe=count_text, scale_text=charts.count_short, whole=True)
    empty = _chart([0, 0, 0])

    assert [t.text for t in counts.ticks] == ["0", "1"]
    assert [t.text for t in empty.ticks] == ["₹0", "₹1"] and all(b.height == 0 for b in empty.bars)


def test_scale_labels_are_written_the_indian_way():
    assert [charts.rupees_short(v) for v in (0, 800, 4500, 150000, 25000000)] == [
        "₹0", "₹800", "₹4.5k", "₹1.5L", "₹2.5Cr",
    ]  # fmt: skip
