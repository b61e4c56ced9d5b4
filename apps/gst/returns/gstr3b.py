"""The GSTR-3B summary of a period, from the same figures as its GSTR-1, for the accountant to cross-check.

Table 3.1(a), outward taxable supplies (other than zero-rated, nil-rated and exempted): the taxable
value and each tax head of every taxable supply of the period, notes netted in, including B2B documents
a quarterly filer already furnished in the IFF (GSTR-3B covers the whole quarter). Table 3.1(c), other
outward supplies (nil-rated, exempted). Table 3.2, inter-state supplies to unregistered persons, by
place of supply. From July 2025 the portal locks 3.1(a) to what GSTR-1 reports, so the two must agree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import IO, Any

from apps.gst.periods import ReturnPeriod
from apps.gst.returns.gstr1 import Gstr1Builder, Gstr1Summary
from apps.gst.returns.gstr1_sheets import place_label
from apps.gst.returns.records import Gstr1Source

HEADER = ["Table", "Nature of supplies", "Place Of Supply", "Total taxable value", "Integrated tax", "Central tax",
          "State/UT tax", "Cess"]  # fmt: skip
OUTWARD_TAXABLE = "Outward taxable supplies (other than zero rated, nil rated and exempted)"
NIL_EXEMPT = "Other outward supplies (nil rated, exempted)"
UNREGISTERED = "Inter-State supplies made to unregistered persons"
HEADS = ("txval", "iamt", "camt", "samt", "csamt")


def gstr3b_summary(summary: Gstr1Summary) -> dict[str, Any]:
    """The figures as a page shows them: amounts as decimals, 3.2 sorted by place of supply."""
    outward = summary.outward_taxable
    return {
        "gstin": summary.gstin,
        "period": summary.period.code,
        "outward_taxable": {name: getattr(outward, name) for name in HEADS},
        "nil_exempt": {"txval": summary.nil},
        "unregistered_inter_state": [
            {"pos": pos, "place": place_label(pos), "txval": a.txval, "iamt": a.iamt}
            for pos, a in sorted(summary.unregistered_inter_state.items())
            if a.txval or a.iamt
        ],
    }


def gstr3b_csv_write(summary: Gstr1Summary, out: IO[bytes]) -> dict[str, Any]:
    figures = gstr3b_summary(summary)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADER)
    o = figures["outward_taxable"]
    writer.writerow(
        [
            "3.1(a)",
            OUTWARD_TAXABLE,
            "",
            *(format(o[k], "f") for k in HEADS),
        ]
    )
    writer.writerow(["3.1(c)", NIL_EXEMPT, "", format(figures["nil_exempt"]["txval"], "f"), "", "", "", ""])
    for row in figures["unregistered_inter_state"]:
        writer.writerow(
            [
                "3.2",
                UNREGISTERED,
                row["place"],
                format(row["txval"], "f"),
                format(row["iamt"], "f"),
                "",
                "",
                "",
            ]
        )
    text.flush()
    text.detach()  # the caller's file stays open
    return figures


def gstr3b_write(
    source: Gstr1Source, out: IO[bytes], *, period: ReturnPeriod, gstin: str,
    progress: Callable[[int, int | None], None] | None = None,
) -> Gstr1Summary:  # fmt: skip
    """Build the period's GSTR-1 figures from the source (nothing of it written) and write the summary."""
    builder = Gstr1Builder(
        gstin=gstin, period=period, furnished_months=source.furnished_months,
        hsn_descriptions=source.hsn_descriptions,
    )  # fmt: skip
    for _entry in builder.run(source, progress):
        pass
    builder.finish(source.series)
    gstr3b_csv_write(builder.summary, out)
    return builder.summary
