"""Bar charts drawn on the server as inline SVG: the geometry here, the markup in
`platform/partials/_bar_chart.html`. No script and no chart library, so the charts work offline and
print; every chart names what it shows (its title and description are read out) and the page puts its
figures in a table beside it.

Geometry is drawing, so it is done in floats; the figures a chart writes out (`describe`) come from
the Decimals themselves. Coordinates are in the SVG's own units (WIDTH by HEIGHT, scaled to the box it
is drawn in). The scale starts at zero and runs to a round number above the largest figure (and below
the smallest when a figure is negative), in at most four round steps, so bars are compared by length
from one baseline.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from apps.core.money import count_text

WIDTH, HEIGHT = 360, 190
LEFT, RIGHT, TOP, BOTTOM = 52, 6, 10, 22  # room for the scale's labels, and the months under the bars
STEPS = (1, 2, 2.5, 5)
GAP = 0.25  # of each bar's slot left empty


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    center: float  # where its label goes
    width: float
    height: float
    negative: bool
    label: str  # the month, under the bar
    text: str  # its figure in words, read and shown on hover: "Mar 2026: ₹4,583.33"


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class BarChart:
    key: str  # unique on the page: the ids of its title and description
    title: str
    note: str  # shown after the title, in small: the span of time the bars cover
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    zero_y: float
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    scale_x: int = LEFT - 4
    label_y: float = HEIGHT - 6


def rupees_short(value: Decimal | float) -> str:
    """A scale label in rupees the Indian way: ₹0, ₹800, ₹4.5k, ₹1.2L (lakh), ₹3Cr (crore)."""
    value = Decimal(str(value))
    sign = "-" if value < 0 else ""
    value = abs(value)
    for size, unit in ((Decimal(10**7), "Cr"), (Decimal(10**5), "L"), (Decimal(10**3), "k")):
        if value >= size:
            return f"{sign}₹{_short(value / size)}{unit}"
    return f"{sign}₹{_short(value)}"


def _short(value: Decimal) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def count_short(value: Decimal | float) -> str:
    return count_text(int(value))


def nice_step(span: float, steps: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) dividing `span` into at most `steps` parts."""
    if span <= 0:
        return 1.0
    rough = span / steps
    power = 10.0 ** math.floor(math.log10(rough))
    return next(factor * power for factor in (*STEPS, 10) if factor * power >= rough * (1 - 1e-9))


def bar_chart(
    *,
    key: str,
    title: str,
    note: str,
    description: str,
    values: Sequence[Decimal | int],
    labels: Sequence[str],
    names: Sequence[str],
    describe: Callable[[Decimal | int], str],
    scale_text: Callable[[Decimal | float], str],
    whole: bool = False,
) -> BarChart:
    """One bar per value, labelled under it with `labels` (short) and described with `names` (long) and
    `describe(value)`; the scale's labels written by `scale_text`. `whole`: the figures are counts, so
    the scale's steps are whole numbers."""
    top = max([0, *(float(v) for v in values)])
    bottom = min([0, *(float(v) for v in values)])
    step = nice_step(top - bottom)
    if whole:
        step = max(1.0, float(round(step)))
    high = step * math.ceil(top / step) if top > 0 else (0.0 if bottom < 0 else step)
    low = -step * math.ceil(-bottom / step) if bottom < 0 else 0.0
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM
    per_unit = (plot_bottom - plot_top) / (high - low)

    def y_of(value: float) -> float:
        return round(plot_bottom - (value - low) * per_unit, 1)

    slot = (WIDTH - RIGHT - LEFT) / max(1, len(values))
    bars = []
    for n, (value, label, name) in enumerate(zip(values, labels, names, strict=True)):
        y_value, y_zero = y_of(float(value)), y_of(0.0)
        bars.append(
            Bar(
                x=round(LEFT + n * slot + slot * GAP / 2, 1),
                center=round(LEFT + (n + 0.5) * slot, 1),
                y=min(y_value, y_zero),
                width=round(slot * (1 - GAP), 1),
                height=round(abs(y_zero - y_value), 1),
                negative=value < 0,
                label=label,
                text=f"{name}: {describe(value)}",
            )
        )
    count = round((high - low) / step)
    ticks = [Tick(y=y_of(low + i * step), text=scale_text(low + i * step)) for i in range(count + 1)]
    return BarChart(
        key=key, title=title, note=note, description=description, bars=bars, ticks=ticks, zero_y=y_of(0.0)
    )
